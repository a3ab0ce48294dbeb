"""Labels and help texts of the web interface, part 3: the header, the status line, the Runs
list, the panels' titles, the plan line, the charts and the trace viewer (see
:mod:`samantha.ui.words.table`).

Rows: (key, English label, English help, Portuguese label, Portuguese help). In texts with
``|``, the part before it is the singular and the part after it the plural.
"""

ROWS: tuple[tuple[str, str, str, str, str], ...] = (
    # ---------------------------------------------------------------- header
    ("app_tagline",
     "Local language models on your own computer: chain them, compare them, watch every token "
     "being chosen.", "",
     "Modelos de linguagem locais no seu computador: encadeie, compare e veja cada token sendo "
     "escolhido.", ""),
    ("model_default_hint",
     "Gemma 3 270M, a base model: it continues your text, in many languages (try “The three "
     "primary colours are”). For questions in English, the chat model smollm2.", "",
     "Gemma 3 270M, um modelo base: ele continua o seu texto, em muitas línguas (experimente "
     "“A Torre Eiffel fica na cidade de”). Para perguntas (em inglês), o modelo de chat "
     "smollm2.", ""),
    ("model_smollm2_hint",
     "SmolLM2 135M, a small chat model: it answers short questions in English and writes small "
     "code. To continue a text, or in other languages, the base model default.", "",
     "SmolLM2 135M, um pequeno modelo de chat: responde perguntas curtas em inglês e escreve "
     "código pequeno. Para continuar um texto, ou em português, o modelo base default.", ""),
    ("model_in_use",
     "Model",
     "The model of the next run: the first line of the Model list (open Models to change it or "
     "add more).",
     "Modelo",
     "O modelo da próxima execução: a primeira linha da Lista de modelos (abra Modelos para "
     "trocá-lo ou acrescentar outros)."),
    ("models_in_use", "Models", "", "Modelos", ""),
    ("help_toggle",
     "Help",
     "Shows every help text under its control. Without it, point at a name marked (?) to read "
     "what it does.",
     "Ajuda",
     "Mostra cada texto de ajuda embaixo do seu controle. Sem ela, aponte para um nome marcado "
     "com (?) para ler o que ele faz."),
    ("runs_list",
     "Runs in progress",
     "Every run going on in this Samantha, started from any browser tab, with a Stop for each. "
     "A run goes on when the tab that started it is closed; its answers are saved in the "
     "History tab. Only a learning-mode run paced NEXT TOKEN, which holds the model while it "
     "waits for the click, stops by itself 15 s after its tab is closed.",
     "Execuções em andamento",
     "Todas as execuções em andamento neste Samantha, iniciadas em qualquer aba do navegador, "
     "cada uma com um Parar. Uma execução continua quando a aba que a iniciou é fechada; as "
     "respostas ficam salvas na aba Histórico. Só uma execução do modo de aprendizado no ritmo "
     "PRÓXIMO TOKEN, que segura o modelo enquanto espera o clique, para sozinha 15 s depois que "
     "a sua aba é fechada."),
    ("runs_none", "none", "", "nenhuma", ""),
    ("runs_stop", "Stop", "", "Parar", ""),
    ("runs_stopping", "stopping…", "", "parando…", ""),
    # ---------------------------------------------------------------- status line
    ("status_ready", "Ready.", "", "Pronto.", ""),
    ("status_starting", "Starting…", "", "Iniciando…", ""),
    ("status_downloading", "Downloading {model}: {share}", "", "Baixando {model}: {share}", ""),
    ("status_loading", "Loading model {model}…", "", "Carregando o modelo {model}…", ""),
    ("status_cycle", "Cycle {cycle} of {total}", "", "Ciclo {cycle} de {total}", ""),
    ("status_reading", "reading the prompt", "", "lendo o prompt", ""),
    ("status_tokens", "{n} token|{n} tokens", "", "{n} token|{n} tokens", ""),
    ("status_speed", "{speed} tokens/s", "", "{speed} tokens/s", ""),
    ("status_code", "running code…", "", "executando código…", ""),
    ("status_between", "done", "", "concluído", ""),
    ("status_finished", "Run finished.", "", "Execução concluída.", ""),
    ("status_stopped", "Run stopped.", "", "Execução parada.", ""),
    ("status_failed", "Run failed.", "", "A execução falhou.", ""),
    ("status_interrupted", "Run interrupted: resume it from History once the cause is gone.",
     "", "Execução interrompida: retome-a no Histórico quando a causa tiver passado.", ""),
    ("status_waiting_model", "waiting for the model: another answer in this Samantha is using "
     "it", "", "esperando o modelo: outra resposta neste Samantha o está usando", ""),
    ("status_waiting_run", "waiting for run {run} to let the model go", "",
     "esperando a execução {run} liberar o modelo", ""),
    ("status_waiting_step", "waiting for run {run} (step by step, in another tab) to let the "
     "model go: press Next token there, or its Stop in the Runs list", "",
     "esperando a execução {run} (passo a passo, em outra aba) liberar o modelo: aperte "
     "Próximo token lá, ou o Parar dela na lista de execuções", ""),
    ("status_waiting_closed", "waiting for run {run} (step by step, its tab closed) to let the "
     "model go: it stops by itself {seconds} s after its tab closed", "",
     "esperando a execução {run} (passo a passo, a aba dela foi fechada) liberar o modelo: ela "
     "para sozinha {seconds} s depois que a aba foi fechada", ""),
    # ---------------------------------------------------------------- the plan line
    ("plan_prompts", "{n} prompt|{n} prompts", "", "{n} prompt|{n} prompts", ""),
    ("plan_models", "{n} model|{n} models", "", "{n} modelo|{n} modelos", ""),
    ("plan_responses", "{n} response|{n} responses", "", "{n} resposta|{n} respostas", ""),
    ("plan_loops", "{n} loop|{n} loops", "", "{n} loop|{n} loops", ""),
    ("plan_cycles", "{n} cycle|{n} cycles", "", "{n} ciclo|{n} ciclos", ""),
    ("plan_start", "Start (or Enter) runs it.", "", "Iniciar (ou Enter) executa.", ""),
    ("plan_single", "single response per model", "", "resposta única por modelo", ""),
    ("plan_lines",
     "Each line is a prompt: this text makes {n} prompts. To keep lines together as one prompt, "
     "put $$$ between prompts.", "",
     "Cada linha é um prompt: este texto forma {n} prompts. Para manter linhas juntas num só "
     "prompt, ponha $$$ entre os prompts.", ""),
    ("plan_format", "Prompt format: {}", "", "Formato do prompt: {}", ""),
    ("format_chat", "its chat template", "", "o modelo de chat dele", ""),
    ("format_completion", "the text, continued", "", "o texto, continuado", ""),
    ("format_plain", "a plain transcript", "", "uma transcrição simples", ""),
    ("format_auto", "known once downloaded", "", "conhecido depois de baixado", ""),
    ("format_later", "{} after the first answer (feedback)", "",
     "{} depois da primeira resposta (realimentação)", ""),
    ("prompt_format",
     "Prompt format",
     "How the prompt reaches each model, as it is made. auto (recommended): a chat model gets "
     "its own chat template (from its file); a base model, which only continues text (such as "
     "the default Gemma 3 270M), gets your prompt to continue, and the answer ends with its "
     "paragraph; with a SYSTEM prompt or a previous response, a base model gets a plain "
     "transcript (User: … Assistant:). chat, completion and plain force one of them. The line "
     "under the prompt says what each model gets; each answer stores it.",
     "Formato do prompt",
     "Como o prompt chega a cada modelo, do jeito que ele foi feito. auto (recomendado): um "
     "modelo de chat recebe o seu próprio modelo de chat (do arquivo dele); um modelo base, "
     "que só continua textos (como o Gemma 3 270M padrão), recebe o seu prompt para "
     "continuar, e a resposta termina com o parágrafo; com um prompt do SISTEMA ou uma resposta "
     "anterior, um modelo base recebe uma transcrição simples (User: … Assistant:). chat, "
     "completion e plain impõem um deles. A linha sob o prompt diz o que cada modelo recebe; "
     "cada resposta o guarda."),
    # ---------------------------------------------------------------- panels
    ("conversation", "System prompt and previous response", "",
     "Prompt do sistema e resposta anterior", ""),
    ("files_examples", "Files and examples", "", "Arquivos e exemplos", ""),
    ("voice_panel", "Voice", "", "Voz", ""),
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
    ("seed_random", "random", "", "aleatória", ""),
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
    ("code_isolated",
     "Confined by bubblewrap: {note}", "",
     "Confinado pelo bubblewrap: {note}", ""),
    ("code_not_isolated",
     "Not isolated: this code ran under time, memory and process limits only, with your "
     "permissions: it could reach the network, this computer's own services included, and read "
     "your files ({note}). On Linux, install bubblewrap to confine it.", "",
     "Não isolado: este código rodou só com limites de tempo, memória e processos, com as suas "
     "permissões: podia acessar a rede, inclusive os serviços deste computador, e ler seus "
     "arquivos ({note}). No Linux, instale o bubblewrap para confiná-lo.", ""),
    # ---------------------------------------------------------------- output box
    ("ending_cancelled", "stopped", "", "parado", ""),
    ("ending_error", "failed", "", "falhou", ""),
    ("ending_repetition", "stopped: the answer repeats itself", "",
     "parou: a resposta se repete", ""),
    ("out_error", "Error in cycle {number} ({model}): {error}", "",
     "Erro no ciclo {number} ({model}): {error}", ""),
    ("out_note", "note", "", "nota", ""),
    ("out_printed_nothing", "(the code printed nothing; exit status {status})", "",
     "(o código não imprimiu nada; status de saída {status})", ""),
    ("out_left_out", "(left out: {line})", "", "(deixado de fora: {line})", ""),
    # ---------------------------------------------------------------- learning panels
    ("stage_line", "Token {step}: {piece} (id {id}, rank {rank}, p {p}, entropy {entropy})", "",
     "Token {step}: {piece} (id {id}, posição {rank}, p {p}, entropia {entropy})", ""),
    ("candidate_headers", "rank|id|text|logit|p", "", "posição|id|texto|logit|p", ""),
    ("axis_probability", "probability", "", "probabilidade", ""),
    ("axis_token", "token of the answer", "", "token da resposta", ""),
    ("axis_rank", "rank", "", "posição", ""),
    ("axis_entropy", "entropy (nats)", "", "entropia (nats)", ""),
    ("ranks_none", "None yet: every token chosen was the model's most likely one.", "",
     "Nenhum até agora: cada token escolhido foi o mais provável para o modelo.", ""),
    # ---------------------------------------------------------------- history tab
    ("history_headers", "id|started|status|prompts|models", "",
     "id|início|situação|prompts|modelos", ""),
    ("run_statuses", "running|finished|stopped|failed|interrupted", "",
     "em execução|concluída|parada|falhou|interrompida", ""),
    ("model_headers",
     "name|GiB|architecture|quantization|parameters (B)|context|folder / problem", "",
     "nome|GiB|arquitetura|quantização|parâmetros (B)|contexto|pasta / problema", ""),
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
    ("rerun_changes",
     "Changes for Rerun",
     "Settings to change when running it again, written as in a prompt's {…} block: "
     "temperature=0.8, max_tokens=100. Add model=NAME to use another model. Empty: the very "
     "same run.",
     "Mudanças para Reexecutar",
     "Ajustes a mudar ao executar de novo, escritos como no bloco {…} de um prompt: "
     "temperature=0.8, max_tokens=100. Acrescente model=NOME para usar outro modelo. Vazio: "
     "exatamente a mesma execução."),
    ("resume",
     "Resume",
     "Continues an interrupted run (its program ended before it finished) from its first "
     "unfinished cycle, in the same run, as if it had never stopped.",
     "Retomar",
     "Continua uma execução interrompida (o programa terminou antes dela) a partir do primeiro "
     "ciclo não concluído, na mesma execução, como se nunca tivesse parado."),
)
