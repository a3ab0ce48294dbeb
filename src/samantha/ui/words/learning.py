"""Learning mode, wherever it shows: its switch and pace, a token's candidates and stages, the
charts, what-if, branches from a candidate, and the trace viewer of the History tab.

Rows as in :mod:`samantha.ui.words.table`: (key, English label, English help, Portuguese
label, Portuguese help).
"""

ROWS: tuple[tuple[str, str, str, str, str], ...] = (
    ("learning_mode",
     "Learning mode",
     "Watch how the model chooses each token: its candidates, their scores and what every "
     "sampling stage kept. Pace: OFF; 0 (learning with no delay); 0.3, 1, 3 or 10 seconds per "
     "token; NEXT TOKEN waits for a click on Next token. Needs Fast mode off.",
     "Modo de aprendizagem",
     "Acompanhe como o modelo escolhe cada token: os candidatos, suas pontuações e o que cada "
     "etapa da amostragem manteve. Ritmo: DESLIGADO; 0 (aprendizagem sem pausa); 0,3, 1, 3 ou 10 "
     "segundos por token; PRÓXIMO TOKEN espera um clique em Próximo token. Exige o Modo rápido "
     "desligado."),
    ("learning_off", "OFF", "", "DESLIGADO", ""),
    ("learning_step", "NEXT TOKEN", "", "PRÓXIMO TOKEN", ""),
    ("next_token",
     "Next token",
     "In learning mode with the NEXT TOKEN pace, generates one token per click, so you can study "
     "each choice. The run holds the model while it waits for the click (other runs wait for "
     "it), and stops by itself 15 s after its tab is closed.",
     "Próximo token",
     "No modo de aprendizagem com o ritmo PRÓXIMO TOKEN, gera um token a cada clique, para você "
     "estudar cada escolha. A execução segura o modelo enquanto espera o clique (as outras "
     "esperam por ela) e para sozinha 15 s depois que a sua aba é fechada."),
    ("learning", "Learning mode", "", "Modo de aprendizagem", ""),
    ("stages",
     "Candidates kept by each stage",
     "How many candidates survived each step of the sampler chain for the current token: watch "
     "a hyperparameter act as you change it.",
     "Candidatos mantidos em cada etapa",
     "Quantos candidatos sobreviveram a cada etapa da cadeia de amostragem no token atual: veja "
     "um hiperparâmetro agir enquanto você o muda."),
    ("candidates",
     "Top candidates",
     "The model's most likely next tokens before any setting acts: rank, id, text piece, raw "
     "score (logit) and probability. The chosen token is marked.",
     "Principais candidatos",
     "Os próximos tokens mais prováveis para o modelo, antes de qualquer ajuste agir: posição, "
     "id, trecho de texto, pontuação bruta (logit) e probabilidade. O token escolhido vem "
     "marcado."),
    ("probabilities_plot",
     "Candidate probabilities",
     "Probability of each top candidate for the current token; the chosen one is highlighted.",
     "Probabilidades dos candidatos",
     "Probabilidade de cada um dos principais candidatos no token atual; o escolhido fica em "
     "destaque."),
    ("ranks_plot",
     "Chosen tokens that were not the most likely",
     "Along the response, the rank of each token chosen although it was not the most likely "
     "one. Empty with deterministic settings.",
     "Tokens escolhidos que não eram os mais prováveis",
     "Ao longo da resposta, a posição de cada token escolhido mesmo sem ser o mais provável. "
     "Vazio com ajustes determinísticos."),
    ("entropy_plot",
     "Entropy along the response",
     "How unsure the model was at each token: high points are where the text could easily have "
     "gone another way.",
     "Entropia ao longo da resposta",
     "Quão incerto o modelo estava em cada token: os pontos altos são onde o texto poderia "
     "facilmente ter seguido outro caminho."),
    ("unlikely",
     "Less likely tokens chosen",
     "The chosen tokens that were not the model's first choice, with their text and rank, for "
     "each response.",
     "Tokens menos prováveis escolhidos",
     "Os tokens escolhidos que não eram a primeira opção do modelo, com texto e posição, em "
     "cada resposta."),
    ("stage_line", "Token {step}: {piece} (id {id}, rank {rank}, p {p}, entropy {entropy})", "",
     "Token {step}: {piece} (id {id}, posição {rank}, p {p}, entropia {entropy})", ""),
    ("candidate_headers", "rank|id|text|logit|p", "", "posição|id|texto|logit|p", ""),
    ("axis_probability", "probability", "", "probabilidade", ""),
    ("axis_token", "token of the answer", "", "token da resposta", ""),
    ("axis_rank", "rank", "", "posição", ""),
    ("axis_entropy", "entropy (nats)", "", "entropia (nats)", ""),
    ("ranks_none", "None yet: every token chosen was the model's most likely one.", "",
     "Nenhum até agora: cada token escolhido foi o mais provável para o modelo.", ""),
    ("trace_viewer",
     "Learning-mode trace",
     "The candidates of every token of a cycle run in learning mode, as stored: pick the cycle "
     "and a token, and see the same panels as in the Chat tab.",
     "Rastro do modo de aprendizagem",
     "Os candidatos de cada token de um ciclo executado no modo de aprendizagem, como foram "
     "salvos: escolha o ciclo e um token e veja os mesmos painéis da aba Chat."),
    ("trace_cycle", "Cycle", "The cycle number in the run (1 is the first answer).", "Ciclo",
     "O número do ciclo na execução (1 é a primeira resposta)."),
    ("trace_step", "Token", "Which token of the answer to show (1 is the first).", "Token",
     "Qual token da resposta mostrar (1 é o primeiro)."),
    ("trace_show", "Show trace", "", "Mostrar rastro", ""),
    ("msg_no_trace",
     "Cycle {cycle} of run {run} has no learning-mode trace: run it with learning mode on to "
     "record one.", "",
     "O ciclo {cycle} da execução {run} não tem rastro do modo de aprendizagem: execute-o com "
     "o modo de aprendizagem ligado para gravar um.", ""),
    ("msg_traces",
     "Learning-mode traces stored for {n} cycle(s): open Learning-mode trace below.", "",
     "Rastros do modo de aprendizagem salvos para {n} ciclo(s): abra Rastro do modo de "
     "aprendizagem abaixo.", ""),
    ("branch_token",
     "Branch from token id",
     "Click a candidate in the table above (or type its id) to answer again from there: the "
     "same prompt, the tokens before this one, that candidate instead, then the same settings. "
     "The branch is stored in the history, linked to this answer.",
     "Ramificar a partir do token id",
     "Clique num candidato da tabela acima (ou digite o seu id) para responder de novo a partir "
     "dali: o mesmo prompt, os tokens anteriores a este, aquele candidato no lugar, depois as "
     "mesmas configurações. A ramificação fica guardada no histórico, ligada a esta resposta."),
    ("branch_more",
     "Tokens after it",
     "How many tokens the branch writes after the candidate.",
     "Tokens depois dele",
     "Quantos tokens a ramificação escreve depois do candidato."),
    ("branch_button", "Branch from it", "", "Ramificar daqui", ""),
    ("what_if_example", "e.g. tfs_z=1, typical_p=1, top_p=1, min_p=0, temperature=1, then Enter",
     "",
     "ex.: tfs_z=1, typical_p=1, top_p=1, min_p=0, temperature=1, depois Enter", ""),
    ("what_if_one", "One candidate is left: {stage} keeps only one.", "",
     "Sobra um candidato só: {stage} mantém só um.", ""),
    ("what_if_more", "To keep more, write: {changes}", "",
     "Para manter mais, escreva: {changes}", ""),
    ("chat_branch",
     "Click a candidate in the table to answer again from it, once the answer is in: the same "
     "prompt and tokens before this one, that candidate instead, then the same settings. The "
     "branch appears below, beside this answer, and is stored in the history (the History tab's "
     "trace viewer branches from any token).", "",
     "Clique num candidato da tabela para responder de novo a partir dele, quando a resposta "
     "estiver pronta: o mesmo prompt e os tokens anteriores a este, aquele candidato no lugar, "
     "depois as mesmas configurações. A ramificação aparece abaixo, ao lado desta resposta, e "
     "fica guardada no histórico (o visualizador de rastros da aba Histórico ramifica de "
     "qualquer token).", ""),
    ("msg_branch_wait",
     "A chain is running in this tab: branch once it has ended.", "",
     "Uma cadeia está em execução nesta aba: ramifique quando ela terminar.", ""),
    ("msg_branch_needs_trace",
     "Run an answer with learning mode on first: a branch starts from one of its candidates.",
     "",
     "Gere primeiro uma resposta com o modo de aprendizagem ligado: uma ramificação parte de um "
     "dos seus candidatos.", ""),
    ("branch_original", "Original answer", "", "Resposta original", ""),
    ("branch_branch", "Branch", "", "Ramificação", ""),
    ("msg_branch_stored",
     "Stored as run {run}: a branch of run {parent}, cycle {cycle}, at token {step}.", "",
     "Guardada como execução {run}: uma ramificação da execução {parent}, ciclo {cycle}, no "
     "token {step}.", ""),
    ("what_if",
     "What if",
     "Other settings for the token in view, e.g. tfs_z=1, typical_p=1, top_p=1, min_p=0, "
     "temperature=1 (then Enter): the table shows which candidates that chain would keep from "
     "the same scores, and with what probabilities. Nothing is generated again. The default "
     "settings keep only the most likely candidate at four stages (tail-free 0, typical 0, "
     "top-p 0, min-p 1) and temperature 0 picks it, so a change to one of them alone shows "
     "nothing new: the example switches them off and shows top-k's 40 candidates with the "
     "model's own probabilities; add e.g. top_p=0.5 or min_p=0.1 to it. When one candidate is "
     "left, a line above the table says which stage cut the list to one and what to write to "
     "keep more.",
     "E se",
     "Outras configurações para o token em vista, p. ex. tfs_z=1, typical_p=1, top_p=1, "
     "min_p=0, temperature=1 (depois Enter): a tabela mostra quais candidatos essa cadeia "
     "manteria das mesmas pontuações, e com que probabilidades. Nada é gerado de novo. As "
     "configurações padrão mantêm só o candidato mais provável em quatro estágios (tail-free 0, "
     "typical 0, top-p 0, min-p 1) e a temperatura 0 o escolhe, então mudar só um deles não "
     "mostra nada de novo: o exemplo os desliga e mostra os 40 candidatos do top-k com as "
     "probabilidades do próprio modelo; acrescente p. ex. top_p=0.5 ou min_p=0.1. Quando sobra "
     "um candidato só, uma linha acima da tabela diz qual estágio reduziu a lista a um e o que "
     "escrever para manter mais."),
    ("trace_page",
     "Trace as a page",
     "A self-contained HTML page of this trace (no network): the answer coloured token by "
     "token, each token's candidates and stages, and the plots, for handing out.",
     "Rastro como página",
     "Uma página HTML autocontida deste rastro (sem rede): a resposta colorida token por token, "
     "os candidatos e estágios de cada token e os gráficos, para distribuir."),
    ("layer_view",
     "Layer view",
     "What the model's layers would say, and where their attention heads looked, for each "
     "token. A layer is one of the model's stacked blocks: each adds its work to the stream "
     "of numbers that ends as the next token's scores. The lens reads the stream after each "
     "layer through the model's last norm and output, as if the model stopped there, so you "
     "see the answer take shape; but the middle layers were not trained to be read this way, "
     "so their words are a view through the last layer's glasses, not what a layer thinks. "
     "Cheap reads only the final candidates; full reads the whole vocabulary, exact but "
     "seconds per token on big models. Local GGUF models only (Llama and Gemma 3), with "
     "learning mode on.",
     "Visão das camadas",
     "O que as camadas do modelo diriam, e para onde as suas cabeças de atenção olharam, em "
     "cada token. Uma camada é um dos blocos empilhados do modelo: cada uma soma o seu "
     "trabalho ao fluxo de números que termina nas pontuações do próximo token. A lente lê o "
     "fluxo depois de cada camada pela última normalização e pela saída do modelo, como se ele "
     "parasse ali, e você vê a resposta tomar forma; mas as camadas do meio não foram "
     "treinadas para serem lidas assim, então as suas palavras são uma vista pelos óculos da "
     "última camada, não o que uma camada pensa. Barata lê só os candidatos finais; completa "
     "lê o vocabulário inteiro, exata mas leva segundos por token em modelos grandes. Só "
     "modelos GGUF locais (Llama e Gemma 3), com o modo de aprendizagem ligado."),
    ("layers_off", "off", "", "desligada", ""),
    ("layers_cheap", "cheap: final candidates", "", "barata: candidatos finais", ""),
    ("layers_full", "full: whole vocabulary", "", "completa: vocabulário inteiro", ""),
    ("inside_layer",
     "Enlarged layer",
     "Which layer's heads are enlarged under the heat-map, with their tokens: 0 is the first "
     "layer, as in the grid above. Empty: the last layer. Needs the layer view.",
     "Camada ampliada",
     "De qual camada as cabeças aparecem ampliadas sob o mapa de calor, com os seus tokens: 0 "
     "é a primeira camada, como na grade acima. Vazio: a última camada. Exige a visão das "
     "camadas."),
    ("inside_draws",
     "Draws",
     "How many times the token in view is drawn again from its final distribution, to set "
     "the shares drawn beside the probabilities: 1 to 10,000 (default 100). The more draws, "
     "the closer the shares. Nothing is generated again.",
     "Sorteios",
     "Quantas vezes o token em vista é sorteado de novo da sua distribuição final, para pôr "
     "as frações sorteadas ao lado das probabilidades: de 1 a 10.000 (padrão 100). Quanto "
     "mais sorteios, mais próximas as frações. Nada é gerado de novo."),
    ("inside_seed",
     "Draw seed",
     "The seed of those draws: the same seed gives the same counts, another shows how much "
     "they vary. 0 to 4,294,967,295 (default 0). The answer's own seed is not changed.",
     "Semente dos sorteios",
     "A semente desses sorteios: a mesma semente dá as mesmas contagens, outra mostra quanto "
     "elas variam. De 0 a 4.294.967.295 (padrão 0). A semente da própria resposta não muda."),
    ("msg_inside_layer",
     "This model has no layer {layer}: choose 0 to {last}, or leave the box empty for the "
     "last.", "",
     "Este modelo não tem a camada {layer}: escolha de 0 a {last}, ou deixe a caixa vazia para "
     "a última.", ""),
    ("msg_inside_draws", "Draw 1 to {most} times, not {n}.", "",
     "Sorteie de 1 a {most} vezes, não {n}.", ""),
    ("msg_inside_seed", "The draws' seed is a whole number from 0 to {most}, not {seed}.", "",
     "A semente dos sorteios é um número inteiro de 0 a {most}, não {seed}.", ""),
)
