"""The Chat tab's chain options: the switches of a run (feedback, single response, shuffle,
random parameters, code, fast mode, the loop guard, parallel cycles, remote backends) and the
numbers of loops and responses.

Rows as in :mod:`samantha.ui.words.table`: (key, English label, English help, Portuguese
label, Portuguese help).
"""

ROWS: tuple[tuple[str, str, str, str, str], ...] = (
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
    ("loop_guard",
     "Loop guard",
     "Ends an answer that has started repeating itself: the same block of tokens three times in "
     "a row (24 tokens or more), or a block written five times with only one token changed "
     "each time, such as a numbered list whose items only count. The footer then says "
     "'stopped: the answer repeats itself'. It never changes which tokens are chosen. On by "
     "default; turn it off to let a model repeat itself up to max_tokens.",
     "Proteção contra repetição",
     "Encerra uma resposta que começou a se repetir: o mesmo bloco de tokens três vezes seguidas "
     "(24 tokens ou mais), ou um bloco escrito cinco vezes com só um token diferente a cada vez, "
     "como uma lista numerada cujos itens só contam. O rodapé diz então 'parou: a resposta se "
     "repete'. Nunca muda quais tokens são escolhidos. Ligada por padrão; desligue para deixar "
     "o modelo se repetir até max_tokens."),
    ("allow_network",
     "Allow network",
     "Lets model-written code (Run code automatically, and Run code) reach the network: the "
     "internet, never this computer's own services (the web UI, JupyterLab, Datasette, "
     "llama-server). Off by default: where Samantha can confine code (Linux with bubblewrap) "
     "the network is cut off, and when allowed it goes through slirp4netns (without it, it "
     "stays cut off). Turn it on only for code you trust to download data or call a service.",
     "Permitir rede",
     "Deixa o código escrito pelo modelo (Executar código automaticamente, e Executar código) "
     "acessar a rede: a internet, nunca os serviços deste computador (a interface web, o "
     "JupyterLab, o Datasette, o llama-server). Desligado por padrão: onde o Samantha consegue "
     "confinar o código (Linux com bubblewrap), a rede fica cortada, e quando permitida passa "
     "pelo slirp4netns (sem ele, continua cortada). Ligue só para código em que você confia "
     "para baixar dados ou chamar um serviço."),
    ("parallel",
     "Parallel cycles (this computer)",
     "How many cycles of the local model are decoded together in one batch, when none feeds "
     "another: on a CPU, 4 give two to three times the tokens per second of 1. Each keeps its "
     "own settings, seed, stop strings and learning trace, and they are shown in order. The "
     "answers may differ slightly from 1's (llama.cpp's numbers depend on the batch), but "
     "the same number and seed give the same answers. 1 (the default) runs them one by one.",
     "Ciclos em paralelo (este computador)",
     "Quantos ciclos do modelo local são decodificados juntos num lote, quando nenhum "
     "alimenta outro: numa CPU, 4 dão duas a três vezes os tokens por segundo de 1. Cada um "
     "guarda suas configurações, semente, textos de parada e traço de aprendizagem, e eles "
     "aparecem em ordem. As respostas podem diferir um pouco das de 1 (os números do "
     "llama.cpp dependem do lote), mas o mesmo número e a mesma semente dão as mesmas "
     "respostas. 1 (o padrão) roda um por vez."),
    ("concurrency",
     "Cycles at once",
     "How many cycles may be in progress at the same time, when none feeds another (no "
     "feedback, no final item): they are spread over the remote backends of MODEL@* and shown "
     "in order. Set it to the slots of all your backends together (4 servers of 4 slots: 16). "
     "Local models answer one at a time (see Parallel cycles). 1 (the default) runs one cycle "
     "after the other.",
     "Ciclos ao mesmo tempo",
     "Quantos ciclos podem estar em andamento ao mesmo tempo, quando nenhum alimenta outro "
     "(sem feedback, sem item final): eles são repartidos entre os backends remotos de "
     "MODELO@* e mostrados em ordem. Use a soma das vagas (slots) de todos os seus backends "
     "(4 servidores de 4 vagas: 16). Modelos locais respondem um de cada vez (veja Ciclos em "
     "paralelo). 1 (o padrão) executa um ciclo depois do outro."),
    ("retry_on_other",
     "Retry on another backend",
     "When a remote backend fails during a cycle (refused, an error, a broken connection), start "
     "the cycle again on another backend that serves the same model (MODEL@*). Off: the cycle "
     "fails with the reason and the run goes on.",
     "Tentar em outro backend",
     "Quando um backend remoto falha durante um ciclo (recusa, erro, conexão interrompida), "
     "recomeça o ciclo em outro backend que sirva o mesmo modelo (MODELO@*). Desligado: o ciclo "
     "falha com o motivo e a execução continua."),
)
