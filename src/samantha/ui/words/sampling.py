"""The Chat tab's sampling panel: the presets, the seed, a setting per slider, the order of the
chain, and the newer stages (DRY, XTC, top-n-sigma, dynamic temperature, mirostat), the logit
bias and the grammars. The texts say what our sampler does (the table in
:mod:`samantha.core.settings` is the ground truth).

Rows as in :mod:`samantha.ui.words.table`: (key, English label, English help, Portuguese
label, Portuguese help).
"""

ROWS: tuple[tuple[str, str, str, str, str], ...] = (
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
    ("seed_random", "random", "", "aleatória", ""),
    ("more_samplers",
     "More samplers: DRY, XTC, mirostat, order, grammar",
     "The stages llama.cpp added after the predecessor's chain, all off by default. Turn one "
     "on, then watch its count in learning mode (one line per stage, in the chain's order).",
     "Mais amostradores: DRY, XTC, mirostat, ordem, gramática",
     "Os estágios que o llama.cpp acrescentou depois da cadeia do antecessor, todos desligados "
     "por padrão. Ligue um e veja a sua contagem no modo de aprendizagem (uma linha por estágio, "
     "na ordem da cadeia)."),
    ("dry_multiplier", "DRY multiplier", "", "Multiplicador DRY",
     "DRY (não se repita): quanto empurrar para longe um token que continuaria uma repetição "
     "de algo que a resposta já disse, mais longa que o comprimento permitido. O empurrão "
     "cresce com o tamanho da repetição. 0 desliga; 0.8 é um valor comum."),
    ("dry_base", "DRY base", "", "Base DRY",
     "DRY: quão rápido o empurrão cresce a cada token repetido a mais (multiplicador x base ^ "
     "(tamanho - permitido)). Padrão 1.75."),
    ("dry_allowed_length", "DRY allowed length", "", "Comprimento permitido DRY",
     "DRY: repetições de até este número de tokens são deixadas em paz (nomes, expressões "
     "comuns). Padrão 2."),
    ("dry_penalty_last_n", "DRY window", "", "Janela DRY",
     "DRY: quantos dos últimos tokens da resposta ele examina; -1 a resposta inteira, 0 "
     "desliga o DRY."),
    ("top_n_sigma", "Top-n-sigma", "", "Top-n-sigma",
     "Mantém só os candidatos cuja pontuação está a até n desvios-padrão da melhor, de modo "
     "que o corte se adapta à certeza do modelo. 0 desliga; 1 é um valor comum."),
    ("xtc_probability", "XTC probability", "", "Probabilidade XTC",
     "XTC (excluir as primeiras escolhas): a chance, a cada token, de remover todos os "
     "candidatos mais prováveis que o limiar menos o menos provável deles, o que afasta o "
     "modelo das palavras mais previsíveis. 0 desliga."),
    ("xtc_threshold", "XTC threshold", "", "Limiar XTC",
     "XTC: candidatos acima desta probabilidade contam como primeiras escolhas. Acima de 0.5 o "
     "XTC não faz nada. Padrão 0.1."),
    ("dynatemp_range", "Dynamic temperature range", "", "Faixa da temperatura dinâmica",
     "A temperatura varia entre temperatura - faixa e temperatura + faixa: mais alta quando o "
     "modelo hesita entre muitos candidatos (entropia alta), mais baixa quando ele tem "
     "certeza. 0 mantém a temperatura fixa."),
    ("dynatemp_exponent", "Dynamic temperature exponent", "", "Expoente da temperatura dinâmica",
     "Como a entropia vira temperatura (1 é linear; maior mantém a temperatura baixa até o "
     "modelo estar bem inseguro)."),
    ("mirostat", "Mirostat", "", "Mirostat",
     "O Mirostat substitui os filtros e o sorteio: mira um nível constante de surpresa (tau) e "
     "se ajusta depois de cada token. 1 é a versão 1, 2 a versão 2, 0 desliga (os filtros "
     "funcionam como sempre)."),
    ("mirostat_tau", "Mirostat tau", "", "Tau do Mirostat",
     "A surpresa alvo, em bits por token: menor é mais focado e previsível, maior mais "
     "variado. Padrão 5."),
    ("mirostat_eta", "Mirostat eta", "", "Eta do Mirostat",
     "Quão rápido ele se corrige em direção ao alvo depois de cada token. Padrão 0.1."),
    ("min_keep", "Keep at least", "", "Manter pelo menos",
     "O menor número de candidatos que top-p, min-p, typical e XTC podem deixar (0 ou 1: pelo "
     "menos um, como sempre)."),
    ("samplers",
     "Order of the chain",
     "The stages, left to right in the order they run. Remove one (x) and it never runs; "
     "choose it again from the list and it goes last. So to move top-k after min-p, remove "
     "top-k, then choose it again. The line above the sliders shows the chain as it will run. "
     "The default is llama.cpp's order.",
     "Ordem da cadeia",
     "Os estágios, da esquerda para a direita na ordem em que rodam. Remova um (x) e ele nunca "
     "roda; escolha-o de novo na lista e ele vai para o fim. Para pôr top-k depois de min-p, "
     "remova top-k e escolha-o de novo. A linha acima dos controles deslizantes mostra a "
     "cadeia como ela vai rodar. O padrão é a ordem do llama.cpp."),
    ("default_order",
     "Default order",
     "Puts every stage back, in llama.cpp's order.",
     "Ordem padrão",
     "Põe todos os estágios de volta, na ordem do llama.cpp."),
    ("logit_bias",
     "Logit bias",
     "Added to the score of chosen tokens before any stage: ID=VALUE or 'TEXT'=VALUE pairs "
     "separated by commas (a text becomes its tokens with the model's tokenizer). -inf bans a "
     "token, e.g. ' sea'=-inf; +5 makes it much more likely.",
     "Viés de logit",
     "Somado à pontuação de tokens escolhidos antes de qualquer estágio: pares ID=VALOR ou "
     "'TEXTO'=VALOR separados por vírgulas (um texto vira os seus tokens com o tokenizador do "
     "modelo). -inf proíbe um token, p. ex. ' mar'=-inf; +5 o torna muito mais provável."),
    ("grammar",
     "Grammar (GBNF)",
     "The answer must follow this grammar, in llama.cpp's GBNF format, e.g. "
     "root ::= \"yes\" | \"no\". It runs before every other stage; a mistake is shown with "
     "its line and column.",
     "Gramática (GBNF)",
     "A resposta precisa seguir esta gramática, no formato GBNF do llama.cpp, p. ex. "
     "root ::= \"yes\" | \"no\". Ela roda antes de todos os outros estágios; um erro aparece "
     "com a linha e a coluna."),
    ("json_schema",
     "JSON schema",
     "The answer must be JSON matching this schema (it becomes a grammar), e.g. "
     "{\"type\": \"object\", \"properties\": {\"n\": {\"type\": \"integer\"}}}.",
     "Esquema JSON",
     "A resposta precisa ser um JSON que siga este esquema (ele vira uma gramática), p. ex. "
     "{\"type\": \"object\", \"properties\": {\"n\": {\"type\": \"integer\"}}}."),
)
