"""Texts of speech to text (the microphone and its models) and of the tools Samantha starts."""

from __future__ import annotations

ROWS = (
    ("listen",
     "🎤 Listen",
     "Voice commands, offline (Vosk): say “ok” and a prompt to put it in the USER prompt and "
     "start; say “samantha” and a command (start, stop, stop all, next, read, clean) to press "
     "that button; “samantha close” stops listening. A Portuguese model hears “samantha "
     "iniciar”, “samantha fechar”. Needs a Vosk model: pick one, or add one below.",
     "🎤 Ouvir",
     "Comandos de voz, offline (Vosk): diga “ok” e um prompt para colocá-lo no prompt USER e "
     "iniciar; diga “samantha” e um comando (iniciar, parar, parar tudo, próximo, ler, limpar) "
     "para apertar esse botão; “samantha fechar” para de ouvir. Um modelo inglês ouve "
     "“samantha start”, “samantha close”. Precisa de um modelo Vosk: escolha um, ou adicione um "
     "abaixo."),
    ("listen_stop", "■ Stop listening", "", "■ Parar de ouvir", ""),
    ("voice_model",
     "Voice model",
     "The Vosk model that listens. Its language sets the command words (English, Portuguese "
     "or Korean). Add one by its folder below, or with samantha voice download URL.",
     "Modelo de voz",
     "O modelo Vosk que ouve. O idioma dele define as palavras dos comandos (inglês, "
     "português ou coreano). Adicione um pela pasta abaixo, ou com samantha voice download URL."),
    ("voice_model_folder",
     "Add a voice model (its folder)",
     "The folder of an unzipped Vosk model, the one holding am/, conf/ and graph/. Models: "
     "alphacephei.com/vosk/models (English: vosk-model-small-en-us-0.15, Portuguese: "
     "vosk-model-small-pt-0.3).",
     "Adicionar um modelo de voz (a pasta)",
     "A pasta de um modelo Vosk descompactado, a que contém am/, conf/ e graph/. Modelos: "
     "alphacephei.com/vosk/models (inglês: vosk-model-small-en-us-0.15, português: "
     "vosk-model-small-pt-0.3)."),
    ("voice_add", "Add", "", "Adicionar", ""),
    ("msg_voice_no_model",
     "No voice model yet: listening needs a Vosk model. Download one from "
     "alphacephei.com/vosk/models (English: vosk-model-small-en-us-0.15, Portuguese: "
     "vosk-model-small-pt-0.3), unzip it and add its folder here, or run samantha voice "
     "download URL. Everything else works without it.", "",
     "Ainda não há modelo de voz: ouvir precisa de um modelo Vosk. Baixe um em "
     "alphacephei.com/vosk/models (inglês: vosk-model-small-en-us-0.15, português: "
     "vosk-model-small-pt-0.3), descompacte e adicione a pasta aqui, ou rode samantha voice "
     "download URL. Todo o resto funciona sem ele.", ""),
    ("msg_voice_no_microphone",
     "The browser gave no microphone ({}). Allow it for this page, or plug one in.", "",
     "O navegador não deu um microfone ({}). Permita-o para esta página, ou conecte um.", ""),
    ("msg_voice_listening",
     "Listening… say “ok” and a prompt, or “samantha” and a command.", "",
     "Ouvindo… diga “ok” e um prompt, ou “samantha” e um comando.", ""),
    ("msg_voice_heard", "Heard: {}", "", "Ouvi: {}", ""),
    ("msg_voice_not_command", "“{}” is not a command. After samantha say: {}.", "",
     "“{}” não é um comando. Depois de samantha diga: {}.", ""),
    ("msg_voice_closed", "Stopped listening.", "", "Parei de ouvir.", ""),
    ("msg_voice_added", "Added the voice model {}.", "", "Modelo de voz {} adicionado.", ""),
    ("tools_panel", "Tools", "", "Ferramentas", ""),
    ("tools_hint",
     "Programs Samantha starts on this computer (127.0.0.1) and stops with it: JupyterLab on "
     "this chat's run as a notebook, the run history as a database (Datasette, read-only), "
     "D-Tale on a table, and PyInstaller to pack the code panel's Python into one executable. "
     "They come with pip install 'samantha[tools]'; a missing one says so. A tool opens only "
     "through the link this tab is given (it lets this browser in); other programs on this "
     "computer, other tabs and sandboxed code cannot open it.",
     "",
     "Programas que a Samantha inicia neste computador (127.0.0.1) e encerra junto com ela: o "
     "JupyterLab com a execução deste chat como notebook, o histórico como banco de dados "
     "(Datasette, só leitura), o D-Tale numa tabela e o PyInstaller para empacotar o Python do "
     "painel de código num executável. Vêm com pip install 'samantha[tools]'; se faltar algum, "
     "ele avisa. Cada ferramenta só abre pelo link que esta aba recebe (ele deixa entrar este "
     "navegador); outros programas deste computador, outras abas e o código na sandbox não a "
     "abrem.",
     ""),
    ("tool_jupyter", "Open in JupyterLab", "", "Abrir no JupyterLab", ""),
    ("tool_datasette", "History as a database", "", "Histórico como banco de dados", ""),
    ("tool_dtale", "D-Tale on the table", "", "D-Tale na tabela", ""),
    ("tool_table",
     "Table (CSV)",
     "A CSV file to explore in D-Tale: drop one here, or pick one the code wrote (below).",
     "Tabela (CSV)",
     "Um arquivo CSV para explorar no D-Tale: solte um aqui, ou escolha um que o código gravou "
     "(abaixo)."),
    ("tool_written",
     "A table the code wrote",
     "The CSV files the last code run wrote in its folder.",
     "Uma tabela que o código gravou",
     "Os arquivos CSV que a última execução de código gravou na sua pasta."),
    ("tool_package", "Package as an executable", "", "Empacotar como executável", ""),
    ("tool_log",
     "PyInstaller's log",
     "PyInstaller packs the code panel's Python, with the Python that runs it, into one file "
     "that runs without Samantha (about a minute).",
     "Log do PyInstaller",
     "O PyInstaller empacota o Python do painel de código, com o Python que o roda, num "
     "arquivo que roda sem a Samantha (cerca de um minuto)."),
    ("tool_executable", "Executable", "", "Executável", ""),
    ("tools_stop", "Stop tools", "", "Encerrar ferramentas", ""),
    ("tools_list", "Running tools", "", "Ferramentas rodando", ""),
    ("tools_none", "none", "", "nenhuma", ""),
    ("tool_stop", "Stop", "", "Encerrar", ""),
    ("msg_tool_running", "{} is running: {}", "", "{} está rodando: {}", ""),
    ("msg_tool_no_table", "Drop a CSV file or pick one the code wrote first.", "",
     "Solte um arquivo CSV ou escolha um que o código gravou primeiro.", ""),
    ("msg_tools_stopped", "Every tool was stopped.", "", "Todas as ferramentas foram encerradas.",
     ""),
    ("msg_tool_packaged", "Packed: {}", "", "Empacotado: {}", ""),
)
