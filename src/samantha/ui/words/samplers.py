"""Labels and help texts of the web interface, part 5: the newer sampler stages (DRY, XTC,
top-n-sigma, dynamic temperature, mirostat), the order of the chain, the logit bias and the
grammars (see :mod:`samantha.ui.words.table`). The English help of a slider is the settings table's
(:data:`samantha.core.settings.PARAMETERS`); the Portuguese one is written here.

Rows: (key, English label, English help, Portuguese label, Portuguese help).
"""

ROWS: tuple[tuple[str, str, str, str, str], ...] = (
    ("more_samplers",
     "More samplers: DRY, XTC, mirostat, order, grammar",
     "The stages llama.cpp added after the predecessor's chain, all off by default. Turn one "
     "on, then watch its count in learning mode (one line per stage, in the chain's order).",
     "Mais amostradores: DRY, XTC, mirostat, ordem, gramática",
     "Os estágios que o llama.cpp acrescentou depois da cadeia do antecessor, todos desligados "
     "por padrão. Ligue um e veja a sua contagem no modo de aprendizado (uma linha por estágio, "
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
