"""The voice panel: reading aloud, the sounds, and the microphone (speech to text, Vosk).

Rows as in :mod:`samantha.ui.words.table`: (key, English label, English help, Portuguese
label, Portuguese help).
"""

ROWS: tuple[tuple[str, str, str, str, str], ...] = (
    ("read_aloud",
     "Read aloud",
     "Reads the last response aloud with an offline voice (espeak-ng on Linux, the system's "
     "voices on Windows and macOS); code blocks are skipped.",
     "Ler em voz alta",
     "Lê a última resposta em voz alta com uma voz offline (espeak-ng no Linux, as vozes do "
     "sistema no Windows e no macOS); blocos de código são pulados."),
    ("auto_read",
     "Read answers aloud",
     "Reads each answer aloud as soon as it is complete.",
     "Ler respostas em voz alta",
     "Lê cada resposta em voz alta assim que ela termina."),
    ("sounds",
     "Sounds",
     "A beep when an answer starts and a chime when it ends, as in the original Samantha.",
     "Sons",
     "Um bipe quando uma resposta começa e um toque quando ela termina, como na Samantha "
     "original."),
    ("voice",
     "Voice",
     "The voice that reads aloud: pick one in the language of the answers.",
     "Voz",
     "A voz que lê em voz alta: escolha uma no idioma das respostas."),
    ("speech",
     "Spoken response",
     "",
     "Resposta falada",
     ""),
    ("voice_panel", "Voice", "", "Voz", ""),
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
)
