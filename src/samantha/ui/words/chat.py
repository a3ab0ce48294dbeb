"""Labels and help texts of the web interface, part 1 (see :mod:`samantha.ui.words.table`).

Rows: (key, English label, English help, Portuguese label, Portuguese help).
"""

ROWS: tuple[tuple[str, str, str, str, str], ...] = (
    # ---------------------------------------------------------------- Chat tab: main buttons
    ("chat_tab", "Chat", "", "Conversa", ""),
    ("start",
     "Start",
     "Starts a run: every model of the Model list answers every prompt of the USER prompt field, "
     "in order. The fields and settings are read when you press it; changes made during a run "
     "count from the next start.",
     "Iniciar",
     "Inicia uma execução: cada modelo da Lista de modelos responde a cada prompt do campo Prompt "
     "do USUÁRIO, em ordem. Os campos e ajustes são lidos quando você pressiona o botão; mudanças "
     "feitas durante a execução valem a partir do próximo início."),
    ("stop_next",
     "Stop / Next",
     "Ends the current response at once and goes on with the next prompt or model, if any. It "
     "also works while the prompt is being read, a model is downloading or code is running.",
     "Parar / Próximo",
     "Encerra na hora a resposta atual e segue para o próximo prompt ou modelo, se houver. "
     "Também funciona enquanto o prompt é lido, um modelo é baixado ou um código é executado."),
    ("stop_all",
     "Stop all",
     "Ends the whole run. What was already generated is kept and saved in the history.",
     "Parar tudo",
     "Encerra a execução inteira. O que já foi gerado é mantido e salvo no histórico."),
    ("clean_history",
     "Clean history",
     "Clears the Assistant output and forgets the previous response kept by the feedback loop, "
     "so the next run starts fresh. Saved runs on the History tab are not deleted.",
     "Limpar histórico",
     "Limpa a Saída do Assistente e esquece a resposta anterior guardada pelo loop de feedback, "
     "para que a próxima execução comece do zero. As execuções salvas na aba Histórico não são "
     "apagadas."),
    ("replace_response",
     "Replace response",
     "Copies the last response into the ASSISTANT previous response field, so that the next run "
     "continues from it. Edit it there first if you like.",
     "Substituir resposta",
     "Copia a última resposta para o campo Resposta anterior do ASSISTENTE, para que a próxima "
     "execução continue a partir dela. Se quiser, edite-a ali antes."),
    ("unload_model",
     "Unload model",
     "Removes the model from memory. A model is also unloaded automatically when another one "
     "must answer. Unload it after changing n_ctx so that the new context size applies.",
     "Descarregar modelo",
     "Retira o modelo da memória. O modelo também é descarregado automaticamente quando outro "
     "precisa responder. Descarregue-o depois de mudar n_ctx para que o novo tamanho de contexto "
     "valha."),
    # ---------------------------------------------------------------- Chat tab: the three texts
    ("system_prompt",
     "SYSTEM prompt",
     "General instructions for the whole run: role, tone, rules (e.g. You are a Python teacher). "
     "Parts separated by $$$ that start with --- are ignored; the first remaining part is used. "
     "Not every model supports it: write x = 2 here and ask the model for x to find out.",
     "Prompt do SISTEMA",
     "Instruções gerais para toda a execução: papel, tom, regras (ex.: Você é um professor de "
     "Python). Partes separadas por $$$ que começam com --- são ignoradas; vale a primeira parte "
     "restante. Nem todo modelo aceita: escreva x = 2 aqui e pergunte ao modelo o valor de x."),
    ("feedback_loop",
     "Feedback loop",
     "When on, each response becomes the ASSISTANT previous response of the next cycle, even "
     "when another model answers, so models can improve each other's work with no human in the "
     "loop. When off, the text of that field is used in every cycle. Off by default.",
     "Loop de feedback",
     "Quando ligado, cada resposta passa a ser a Resposta anterior do ASSISTENTE do ciclo "
     "seguinte, mesmo quando outro modelo responde: os modelos aperfeiçoam o trabalho uns dos "
     "outros sem intervenção humana. Desligado, o texto desse campo é usado em todos os ciclos. "
     "Desligado por padrão."),
    ("previous_response",
     "ASSISTANT previous response",
     "Text the model sees as its own previous answer, just before the USER prompt. With the "
     "feedback loop on, it is used only in the first cycle. Same $$$ and --- rules as the "
     "SYSTEM prompt; leave it empty for none.",
     "Resposta anterior do ASSISTENTE",
     "Texto que o modelo vê como a sua própria resposta anterior, logo antes do Prompt do "
     "USUÁRIO. Com o loop de feedback ligado, só é usado no primeiro ciclo. Mesmas regras de $$$ "
     "e --- do Prompt do SISTEMA; deixe vazio para não usar."),
    ("user_prompt",
     "USER prompt",
     "The list of prompts, answered in order: one per line, or separated by $$$ when a prompt "
     "spans several lines. --- at the start ignores a prompt; a [text] block is put before every "
     "prompt; a [[text]] block becomes a last prompt that receives all the responses; "
     "{temperature=0.7, max_tokens=200} at the start of a prompt sets its own parameters.",
     "Prompt do USUÁRIO",
     "A lista de prompts, respondidos em ordem: um por linha, ou separados por $$$ quando um "
     "prompt ocupa várias linhas. --- no início ignora um prompt; um bloco [texto] é colocado "
     "antes de cada prompt; um bloco [[texto]] vira um último prompt que recebe todas as "
     "respostas; {temperature=0.7, max_tokens=200} no início de um prompt define os parâmetros "
     "só dele."),
    ("prompt_grammar",
     "One prompt per line, or separated by $$$ · --- ignores a prompt · [prefix] goes before "
     "every prompt · [[final]] gets all the responses · {temperature=0.7} at the start of a "
     "prompt sets its parameters",
     "",
     "Um prompt por linha, ou separados por $$$ · --- ignora um prompt · [prefixo] vai antes de "
     "cada prompt · [[final]] recebe todas as respostas · {temperature=0.7} no início de um "
     "prompt define os parâmetros dele",
     ""),
    # ---------------------------------------------------------------- Chat tab: models
    ("models",
     "Model list",
     "One model per line, in the order they answer; repeat a line to use a model again. Write a "
     "file name from the model folders, default (the built-in small model), or a Hugging Face or "
     "other .gguf URL, downloaded on first use, or MODEL@NAME for a model of remote backend "
     "NAME (Models tab). Lines starting with --- are ignored.",
     "Lista de modelos",
     "Um modelo por linha, na ordem em que respondem; repita uma linha para usar um modelo de "
     "novo. Escreva o nome de um arquivo das pastas de modelos, default (o pequeno modelo "
     "embutido), uma URL .gguf do Hugging Face ou de outro site, baixada no primeiro uso, ou "
     "MODELO@NOME para um modelo do backend remoto NOME (aba Modelos). Linhas que começam com "
     "--- são ignoradas."),
    ("add_model",
     "Available models",
     "The .gguf files found in the model folders, then the models of the remote backends as "
     "MODEL@NAME (see the Models tab). Pick one and add it to the end of the Model list.",
     "Modelos disponíveis",
     "Os arquivos .gguf encontrados nas pastas de modelos, depois os modelos dos backends "
     "remotos como MODELO@NOME (veja a aba Modelos). Escolha um e acrescente-o ao final da "
     "Lista de modelos."),
    ("add_model_button",
     "Add to the list",
     "Appends the chosen model to the end of the Model list. Add it twice to make it "
     "answer twice.",
     "Adicionar à lista",
     "Acrescenta o modelo escolhido ao final da Lista de modelos. Adicione-o duas vezes "
     "para que ele responda duas vezes."),
    # ---------------------------------------------------------------- Chat tab: options
    ("chain_options", "Chain options", "", "Opções de encadeamento", ""),
    ("single_response",
     "Single response per model",
     "Model 1 answers only prompt 1, model 2 only prompt 2, and so on; extra models or prompts "
     "are skipped. Loops and responses are set to 1. Handy for a scripted dialogue between "
     "models.",
     "Resposta única por modelo",
     "O modelo 1 responde só ao prompt 1, o modelo 2 só ao prompt 2, e assim por diante; modelos "
     "ou prompts a mais são pulados. Loops e respostas ficam em 1. Útil para um diálogo "
     "roteirizado entre modelos."),
    ("reset_model",
     "Reset model",
     "Clears the model's internal state before every cycle, so no earlier context can influence "
     "the answer and the same input always gives the same output. Use it when a model answers "
     "the first time differently from the next ones. Off by default.",
     "Reiniciar modelo",
     "Limpa o estado interno do modelo antes de cada ciclo, para que nenhum contexto anterior "
     "influencie a resposta e a mesma entrada gere sempre a mesma saída. Use quando um modelo "
     "responde da primeira vez diferente das seguintes. Desligado por padrão."),
    ("shuffle",
     "Shuffle models",
     "Answers with the models in a random order, avoiding the same model twice in a row. Works "
     "when the list has 3 or more different models; the order can be repeated with the run's "
     "seed.",
     "Embaralhar modelos",
     "Responde com os modelos em ordem aleatória, evitando o mesmo modelo duas vezes seguidas. "
     "Funciona quando a lista tem 3 ou mais modelos diferentes; a ordem pode ser repetida com a "
     "semente da execução."),
    ("fast_mode",
     "Fast mode",
     "Shows each response only when it is finished instead of token by token, which is a little "
     "faster. Turns learning mode off.",
     "Modo rápido",
     "Mostra cada resposta só quando ela termina, em vez de token a token, o que é um pouco mais "
     "rápido. Desliga o modo de aprendizagem."),
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
    ("loops",
     "Number of loops",
     "How many times the whole sequence is repeated: ([models] → ([prompts] × responses)) × "
     "loops. With the feedback loop on, each loop builds on the last one. Default 1.",
     "Número de loops",
     "Quantas vezes a sequência inteira é repetida: ([modelos] → ([prompts] × respostas)) × "
     "loops. Com o loop de feedback ligado, cada loop parte do anterior. Padrão 1."),
    ("responses",
     "Number of responses",
     "How many times each model answers the whole prompt list before the next model takes "
     "over. With stochastic settings every answer can differ, a good way to compare them. "
     "Default 1.",
     "Número de respostas",
     "Quantas vezes cada modelo responde à lista inteira de prompts antes de passar a vez ao "
     "próximo modelo. Com ajustes estocásticos cada resposta pode ser diferente, um bom jeito de "
     "compará-las. Padrão 1."),
    ("auto_run_code",
     "Run code automatically",
     "After each response, runs its Python code blocks (```python) in a separate process and "
     "shows the output, figures and files. The output is added to the response that is fed "
     "back, so the next prompt can fix or extend the code. Lines that install packages (pip) "
     "are skipped.",
     "Executar código automaticamente",
     "Depois de cada resposta, executa os blocos de código Python (```python) num processo "
     "separado e mostra a saída, as figuras e os arquivos. A saída é acrescentada à resposta "
     "realimentada, para que o próximo prompt corrija ou amplie o código. Linhas que instalam "
     "pacotes (pip) são puladas."),
    ("stop_condition",
     "Stop condition",
     "Stops the run when the automatically run code ends without error and prints something. "
     "Use it to repeat a loop until a condition is met. Printing STOP_SAMANTHA always stops the "
     "run, with or without this option.",
     "Condição de parada",
     "Para a execução quando o código executado automaticamente termina sem erro e imprime algo. "
     "Use para repetir um loop até que uma condição seja atendida. Imprimir STOP_SAMANTHA sempre "
     "para a execução, com ou sem esta opção."),
    ("cumulative",
     "Cumulative response",
     "With the feedback loop, appends each new response to the previous ones instead of "
     "replacing them, so the next model sees the whole conversation. Everything must fit in the "
     "context window (n_ctx).",
     "Resposta cumulativa",
     "Com o loop de feedback, acrescenta cada nova resposta às anteriores em vez de substituí-las, "
     "para que o próximo modelo veja a conversa inteira. Tudo precisa caber na janela de contexto "
     "(n_ctx)."),
    ("random_params",
     "Random hyperparameters",
     "Draws new values in every cycle: temperature, tfs_z, top_p, min_p and typical_p in "
     "[0.1, 1.0], presence and frequency penalties in [0, 0.3], repeat penalty in [1.0, 1.2]. "
     "The values are shown before each response and saved with it: a way to study how the "
     "hyperparameters interact.",
     "Hiperparâmetros aleatórios",
     "Sorteia novos valores a cada ciclo: temperature, tfs_z, top_p, min_p e typical_p em "
     "[0,1; 1,0], penalidades de presença e de frequência em [0; 0,3], penalidade de repetição em "
     "[1,0; 1,2]. Os valores aparecem antes de cada resposta e são salvos com ela: um jeito de "
     "estudar como os hiperparâmetros interagem."),
    ("output_only",
     "Feed back the interpreter output only",
     "With the feedback loop and code running, the next cycle receives only the output of the "
     "code run in this cycle, not the whole response: fewer tokens to read. When no code ran, "
     "the response is fed back.",
     "Realimentar só a saída do interpretador",
     "Com o loop de feedback e a execução de código, o próximo ciclo recebe apenas a saída do "
     "código executado neste ciclo, não a resposta inteira: menos tokens para ler. Quando nenhum "
     "código foi executado, a resposta é realimentada."),
    ("hide_html",
     "Hide HTML output",
     "Hides the rendered HTML view of the responses and of the code output, error messages "
     "included. The text output is not affected.",
     "Ocultar saída HTML",
     "Oculta a visualização em HTML das respostas e da saída do código, mensagens de erro "
     "incluídas. A saída em texto não muda."),
    # ---------------------------------------------------------------- Chat tab: sampling
    ("sampling", "Sampling hyperparameters", "", "Hiperparâmetros de amostragem", ""),
    ("n_ctx",
     "n_ctx",
     "Context window in tokens: system prompt + previous response + user prompt + answer must "
     "fit, or the prompt is refused before generation. 0 uses the model's trained context. More "
     "context needs more memory; it takes effect when the model is loaded again. Default 4000.",
     "n_ctx",
     "Janela de contexto em tokens: prompt do sistema + resposta anterior + prompt do usuário + "
     "resposta precisam caber, senão o prompt é recusado antes da geração. 0 usa o contexto de "
     "treino do modelo. Mais contexto exige mais memória; vale quando o modelo é carregado de "
     "novo. Padrão 4000."),
    ("max_tokens",
     "max_tokens",
     "Most tokens the model may write in one answer; the answer is cut when it gets there. 0 "
     "means up to the end of the context window. Default 4000.",
     "max_tokens",
     "Máximo de tokens que o modelo pode escrever numa resposta; a resposta é cortada ao chegar "
     "lá. 0 significa até o fim da janela de contexto. Padrão 4000."),
    ("temperature",
     "temperature",
     "Divides the scores of the remaining candidates before the draw: below 1 sharpens the "
     "distribution, above 1 flattens it (more varied, less coherent text). 0 always takes the "
     "most likely candidate (greedy). Default 0.",
     "temperature",
     "Divide as pontuações dos candidatos restantes antes do sorteio: abaixo de 1 concentra a "
     "distribuição, acima de 1 a achata (texto mais variado e menos coerente). 0 sempre escolhe "
     "o candidato mais provável (escolha gulosa). Padrão 0."),
    ("tfs_z",
     "tfs_z",
     "Tail-free sampling: cuts the long tail of unlikely candidates where the curve of the "
     "sorted probabilities flattens out. Smaller keeps fewer; 0 keeps one; 1 or more switches it "
     "off. Default 0.",
     "tfs_z",
     "Amostragem sem cauda (tail-free): corta a longa cauda de candidatos improváveis onde a "
     "curva das probabilidades ordenadas se achata. Menor mantém menos; 0 mantém um; 1 ou mais a "
     "desliga. Padrão 0."),
    ("top_p",
     "top_p",
     "Nucleus sampling: keeps the most likely candidates until their probabilities add up to p "
     "(0.9 = 90%). 0 keeps one; 1 switches it off. Default 0.",
     "top_p",
     "Amostragem de núcleo: mantém os candidatos mais prováveis até que suas probabilidades "
     "somem p (0,9 = 90%). 0 mantém um; 1 a desliga. Padrão 0."),
    ("min_p",
     "min_p",
     "Drops candidates whose probability is below min_p times that of the most likely one. 1 "
     "keeps only the most likely; 0 switches it off; 0.05 is a common stochastic value. "
     "Default 1.",
     "min_p",
     "Descarta os candidatos cuja probabilidade fica abaixo de min_p vezes a do mais provável. 1 "
     "mantém só o mais provável; 0 o desliga; 0,05 é um valor estocástico comum. Padrão 1."),
    ("typical_p",
     "typical_p",
     "Locally typical sampling: keeps the candidates whose surprise is closest to the average "
     "surprise, neither too predictable nor too rare, up to this cumulative probability. 0 keeps "
     "one; 1 switches it off. Default 0.",
     "typical_p",
     "Amostragem típica: mantém os candidatos cuja surpresa está mais perto da surpresa média, "
     "nem previsíveis demais nem raros demais, até esta probabilidade acumulada. 0 mantém um; 1 "
     "a desliga. Padrão 0."),
    ("top_k",
     "top_k",
     "Keeps only the k most likely candidates. 1 keeps one (deterministic); 0 keeps all of "
     "them. Default 40.",
     "top_k",
     "Mantém só os k candidatos mais prováveis. 1 mantém um (determinístico); 0 mantém todos. "
     "Padrão 40."),
    ("presence_penalty",
     "presence_penalty",
     "Subtracted from the score of every token the answer already used (within the last "
     "penalty_last_n tokens): pushes the model towards new words and ideas. 0 switches it off. "
     "Default 0.",
     "presence_penalty",
     "Subtraída da pontuação de cada token que a resposta já usou (entre os últimos "
     "penalty_last_n tokens): empurra o modelo para palavras e ideias novas. 0 a desliga. "
     "Padrão 0."),
    ("frequency_penalty",
     "frequency_penalty",
     "Subtracted from a token's score once per time the answer already used it (within the "
     "last penalty_last_n tokens): discourages saying the same words again and again. 0 "
     "switches it off. Default 0.",
     "frequency_penalty",
     "Subtraída da pontuação de um token uma vez para cada vez que a resposta já o usou (entre "
     "os últimos penalty_last_n tokens): desencoraja repetir as mesmas palavras. 0 a desliga. "
     "Padrão 0."),
    ("repeat_penalty",
     "repeat_penalty",
     "Divides the score of tokens the answer already used (within the last penalty_last_n "
     "tokens): above 1 discourages repetition and changes the wording without losing "
     "determinism; 1 switches it off. Try 1.1 when a model loops. Default 1.",
     "repeat_penalty",
     "Divide a pontuação dos tokens que a resposta já usou (entre os últimos penalty_last_n "
     "tokens): acima de 1 desencoraja repetições e muda a redação sem perder o determinismo; 1 "
     "a desliga. Experimente 1,1 quando um modelo entra em loop. Padrão 1."),
    ("penalty_last_n",
     "penalty_last_n",
     "How many of the answer's most recent tokens the three penalties look at. 0 switches the "
     "penalties off. Default 64.",
     "penalty_last_n",
     "Quantos dos tokens mais recentes da resposta as três penalidades consideram. 0 desliga as "
     "penalidades. Padrão 64."),
    ("stop",
     "stop",
     'Strings that end the answer as soon as the model writes one of them; they are not shown. '
     'A JSON list such as ["###", "User:"]. Default [] (none).',
     "stop",
     'Textos que encerram a resposta assim que o modelo escreve um deles; eles não são '
     'mostrados. Uma lista JSON como ["###", "User:"]. Padrão [] (nenhum).'),
    ("seed",
     "seed",
     "Seed of the random draw: the same seed, settings, model and prompt give the same answer, "
     "stochastic settings included. Leave it empty for a new random seed in each run; it is "
     "shown and stored, so any run can be repeated.",
     "seed",
     "Semente do sorteio: a mesma semente, ajustes, modelo e prompt geram a mesma resposta, "
     "mesmo com ajustes estocásticos. Deixe vazio para uma nova semente aleatória a cada "
     "execução; ela é mostrada e guardada, então qualquer execução pode ser repetida."),
    ("deterministic",
     "Deterministic",
     "The default preset: temperature 0, tfs_z 0, top_p 0, min_p 1, typical_p 0, top_k 40, "
     "presence and frequency penalties 0, repeat penalty 1. Always the most likely token, so the "
     "same input gives the same output: for code, facts, tests and spotting training biases.",
     "Determinístico",
     "O ajuste padrão: temperature 0, tfs_z 0, top_p 0, min_p 1, typical_p 0, top_k 40, "
     "penalidades de presença e de frequência 0, penalidade de repetição 1. Sempre o token mais "
     "provável, então a mesma entrada gera a mesma saída: para código, fatos, testes e para "
     "revelar vieses do treino."),
    ("stochastic",
     "Stochastic",
     "A preset for varied, creative text: temperature 0.8, tfs_z 1 (off), top_p 0.95, min_p "
     "0.05, typical_p 1 (off), top_k 40, presence and frequency penalties 0, repeat penalty 1.1. "
     "Tokens are drawn among the likely ones; fix the seed to repeat a run.",
     "Estocástico",
     "Um ajuste para texto variado e criativo: temperature 0,8, tfs_z 1 (desligado), top_p 0,95, "
     "min_p 0,05, typical_p 1 (desligado), top_k 40, penalidades de presença e de frequência 0, "
     "penalidade de repetição 1,1. Os tokens são sorteados entre os prováveis; fixe a semente "
     "para repetir uma execução."),
    ("chain_order",
     "Sampler chain order",
     "The order in which the settings act on every token: penalties → top-k → tail-free → "
     "typical → top-p → min-p → temperature → draw. Any filter at its deterministic value keeps "
     "a single candidate, whatever the others say: with the defaults, raising temperature alone "
     "changes nothing.",
     "Ordem da cadeia de amostragem",
     "A ordem em que os ajustes agem sobre cada token: penalidades → top-k → tail-free → típica "
     "→ top-p → min-p → temperatura → sorteio. Qualquer filtro no seu valor determinístico "
     "mantém um único candidato, não importa o que digam os outros: com os valores padrão, "
     "aumentar só a temperatura não muda nada."),
)
