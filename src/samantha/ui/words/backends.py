"""Labels and help texts of the web interface, part 4: remote backends (the Models tab's
section, the chain options that spread cycles over them), see :mod:`samantha.ui.words.table`.

Rows: (key, English label, English help, Portuguese label, Portuguese help).
"""

ROWS: tuple[tuple[str, str, str, str, str], ...] = (
    ("backends",
     "Remote backends",
     "Models served by other programs, on this computer or others: llama.cpp's llama-server, "
     "Ollama, vLLM, LM Studio or llama-cpp-python's server. Add one here, then write "
     "MODEL@NAME in the Model list (@NAME for its only model, MODEL@* for any backend serving "
     "MODEL). They answer in the same chains as local models, with the same history.",
     "Backends remotos",
     "Modelos servidos por outros programas, neste computador ou em outros: o llama-server do "
     "llama.cpp, Ollama, vLLM, LM Studio ou o servidor do llama-cpp-python. Adicione um aqui e "
     "escreva MODELO@NOME na Lista de modelos (@NOME para o único modelo dele, MODELO@* para "
     "qualquer backend que sirva MODELO). Eles respondem nas mesmas cadeias que os modelos "
     "locais, com o mesmo histórico."),
    ("backend_name",
     "Name",
     "A short name of your choice, used after the @: lab, gpu-box, ollama.",
     "Nome",
     "Um nome curto à sua escolha, usado depois do @: lab, gpu-box, ollama."),
    ("backend_url",
     "Address",
     "Where the server listens, with http:// and the port, e.g. http://192.168.1.20:8080 "
     "(llama-server), http://127.0.0.1:11434 (Ollama), http://127.0.0.1:1234 (LM Studio).",
     "Endereço",
     "Onde o servidor escuta, com http:// e a porta, p. ex. http://192.168.1.20:8080 "
     "(llama-server), http://127.0.0.1:11434 (Ollama), http://127.0.0.1:1234 (LM Studio)."),
    ("backend_kind",
     "Kind",
     "What the server is; auto asks it.",
     "Tipo",
     "O que o servidor é; auto pergunta a ele."),
    ("backend_key_env",
     "Key variable",
     "Only for servers that want a key: the name of the environment variable that holds it "
     "(e.g. VLLM_KEY). The key itself is never written to a file.",
     "Variável da chave",
     "Só para servidores que pedem uma chave: o nome da variável de ambiente que a guarda "
     "(p. ex. VLLM_KEY). A chave em si nunca é gravada em arquivo."),
    ("backend_add", "Add and check", "", "Adicionar e testar", ""),
    ("backend_remove", "Remove", "", "Remover", ""),
    ("backend_headers", "Name|Address|Kind|Key variable", "",
     "Nome|Endereço|Tipo|Variável da chave", ""),
    ("msg_backend_added",
     "Added {name} ({kind}), which serves {models}: write {example} in the Model list. "
     "Learning mode: {learning}.", "",
     "{name} adicionado ({kind}), que serve {models}: escreva {example} na Lista de modelos. "
     "Modo de aprendizado: {learning}.", ""),
    ("msg_backend_removed", "Removed {name}.", "", "{name} removido.", ""),
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
     "guarda suas configurações, semente, textos de parada e traço de aprendizado, e eles "
     "aparecem em ordem. As respostas podem diferir um pouco das de 1 (os números do "
     "llama.cpp dependem do lote), mas o mesmo número e a mesma semente dão as mesmas "
     "respostas. 1 (o padrão) roda um por vez."),
    ("concurrency",
     "Cycles at once",
     "How many cycles may be in progress at the same time, when none feeds another (no "
     "feedback, no final item): they are spread over the remote backends of MODEL@* and shown "
     "in order. Local models answer one at a time (see Parallel cycles). 1 (the default) runs "
     "one cycle after the other.",
     "Ciclos ao mesmo tempo",
     "Quantos ciclos podem estar em andamento ao mesmo tempo, quando nenhum alimenta outro "
     "(sem feedback, sem item final): eles são repartidos entre os backends remotos de "
     "MODELO@* e mostrados em ordem. Modelos locais respondem um de cada vez (veja Ciclos em "
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
    ("msg_answer_restarted",
     "{reason} Starting the answer again on {backend}.", "",
     "{reason} Recomeçando a resposta em {backend}.", ""),
    ("answered_by", "answered by {model}", "", "respondido por {model}", ""),
)
