"""The header above every tab (the product's name, the model in use, the status line, the
Runs list, Help), the tabs' names, the login page, and the words every screen shares (Start,
Stop, Models, Output).

Rows as in :mod:`samantha.ui.words.table`: (key, English label, English help, Portuguese
label, Portuguese help).
"""

ROWS: tuple[tuple[str, str, str, str, str], ...] = (
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
    ("stop_all",
     "Stop all",
     "Ends the whole run. What was already generated is kept and saved in the history.",
     "Parar tudo",
     "Encerra a execução inteira. O que já foi gerado é mantido e salvo no histórico."),
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
    ("stop",
     "stop",
     'Strings that end the answer as soon as the model writes one of them; they are not shown. '
     'A JSON list such as ["###", "User:"]. Default [] (none).',
     "stop",
     'Textos que encerram a resposta assim que o modelo escreve um deles; eles não são '
     'mostrados. Uma lista JSON como ["###", "User:"]. Padrão [] (nenhum).'),
    ("output",
     "Assistant output",
     "The responses of this session as they are written, each under a banner with the number "
     "of its cycle (as the status line counts them: Cycle 3 of 6) and the model's name; a "
     "model's answers in a row share one banner. Read-only: select and copy from it, or use "
     "the buttons below; Clean history empties it (the stored responses stay in History).",
     "Saída do Assistente",
     "As respostas desta sessão à medida que são escritas, cada uma sob um cabeçalho com o "
     "número do seu ciclo (como a linha de estado os conta: Ciclo 3 de 6) e o nome do modelo; "
     "as respostas seguidas de um modelo dividem um cabeçalho. Só leitura: selecione e copie "
     "daqui, ou use os botões abaixo; Limpar histórico o esvazia (as respostas guardadas ficam "
     "no Histórico)."),
    ("history_tab", "History", "", "Histórico", ""),
    ("run_id",
     "Run id",
     "Number of the run to open, re-run or export, as shown in the list.",
     "Id da execução",
     "Número da execução a abrir, executar de novo ou exportar, como aparece na lista."),
    ("models_tab", "Models", "", "Modelos", ""),
    ("download",
     "Download",
     "Downloads the model, showing the progress. An interrupted download resumes where it "
     "stopped, and the file is checked before use.",
     "Baixar",
     "Baixa o modelo mostrando o progresso. Um download interrompido continua de onde parou, e o "
     "arquivo é verificado antes do uso."),
    ("key_needed",
     "This Samantha needs its key",
     "Samantha answers only its own page, and only with the key this server made: open the "
     "address it printed in the terminal where it started (it ends in ?key=…), or paste the key "
     "below. It is also in the file ui-key of Samantha's data home, readable only by you.",
     "Esta Samantha precisa da sua chave",
     "A Samantha responde só à sua própria página, e só com a chave que este servidor criou: "
     "abra o endereço que ela mostrou no terminal onde foi iniciada (termina em ?key=…), ou cole "
     "a chave abaixo. Ela também está no arquivo ui-key da pasta de dados da Samantha, que só "
     "você pode ler."),
    ("key_field", "Key", "", "Chave", ""),
    ("key_open", "Open Samantha", "", "Abrir a Samantha", ""),
    ("key_wrong",
     "That is not this server's key.", "",
     "Esta não é a chave deste servidor.", ""),
    ("app_tagline",
     "Local language models on your own computer: chain them, compare them, watch every token "
     "being chosen.", "",
     "Modelos de linguagem locais no seu computador: encadeie, compare e veja cada token sendo "
     "escolhido.", ""),
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
     "respostas ficam salvas na aba Histórico. Só uma execução do modo de aprendizagem no ritmo "
     "PRÓXIMO TOKEN, que segura o modelo enquanto espera o clique, para sozinha 15 s depois que "
     "a sua aba é fechada."),
    ("runs_none", "none", "", "nenhuma", ""),
    ("runs_stop", "Stop", "", "Parar", ""),
    ("runs_stopping", "stopping…", "", "parando…", ""),
    ("status_ready", "Ready.", "", "Pronto.", ""),
    ("status_starting", "Starting…", "", "Iniciando…", ""),
    ("status_downloading", "Downloading {model}: {share}", "", "Baixando {model}: {share}", ""),
    ("status_loading", "Loading model {model}…", "", "Carregando o modelo {model}…", ""),
    ("status_cycle", "Cycle {cycle} of {total}", "", "Ciclo {cycle} de {total}", ""),
    ("status_reading", "reading the prompt", "", "lendo o prompt", ""),
    ("status_tokens", "{n} token|{n} tokens", "", "{n} token|{n} tokens", ""),
    ("status_speed", "{speed} tokens/s", "", "{speed} tokens/s", ""),
    ("status_backends", "backends up: {up}, busy: {busy}, benched: {benched}", "",
     "servidores prontos: {up}, ocupados: {busy}, em pausa: {benched}", ""),
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
    ("tool_jupyter", "Open in JupyterLab", "", "Abrir no JupyterLab", ""),
)
