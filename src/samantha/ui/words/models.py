"""The Models tab: folders and their models, downloads, links, the catalogue of well-known
models, and the remote backends.

Rows as in :mod:`samantha.ui.words.table`: (key, English label, English help, Portuguese
label, Portuguese help).
"""

ROWS: tuple[tuple[str, str, str, str, str], ...] = (
    ("folders",
     "Model folders",
     "Folders searched for .gguf files (not their subfolders): the Samantha models folder and "
     "your Downloads folder, plus any you add.",
     "Pastas de modelos",
     "Pastas onde os arquivos .gguf são procurados (sem as subpastas): a pasta de modelos da "
     "Samantha e a sua pasta Downloads, mais as que você adicionar."),
    ("add_folder",
     "Folder to add",
     "Full path of a folder that holds .gguf files, e.g. D:\\models or ~/models.",
     "Pasta a adicionar",
     "Caminho completo de uma pasta com arquivos .gguf, ex.: D:\\modelos ou ~/modelos."),
    ("add_folder_button",
     "Add folder",
     "Adds the folder to the list; its models appear at once and it is remembered next time.",
     "Adicionar pasta",
     "Adiciona a pasta à lista; os modelos dela aparecem na hora e ela é lembrada da próxima "
     "vez."),
    ("model_list",
     "Models on this computer",
     "The .gguf files found in the model folders, with their size. Write a name in the Model "
     "list of the Chat tab to use it.",
     "Modelos neste computador",
     "Os arquivos .gguf encontrados nas pastas de modelos, com seu tamanho. Escreva um nome na "
     "Lista de modelos da aba Chat para usá-lo."),
    ("refresh_models",
     "Search folders again",
     "Looks for .gguf files again, after you saved or deleted a model.",
     "Procurar de novo nas pastas",
     "Procura de novo os arquivos .gguf, depois que você salvou ou apagou um modelo."),
    ("download_url",
     "Model URL",
     "A Hugging Face resolve link or any http(s) link to a .gguf file (Files and versions tab, "
     "right-click the download icon, copy the link). Pick a size that fits your free memory; "
     "Q4_K_M is a good start.",
     "URL do modelo",
     "Um link resolve do Hugging Face ou qualquer link http(s) para um arquivo .gguf (aba Files "
     "and versions, clique com o botão direito no ícone de download e copie o link). Escolha um "
     "tamanho que caiba na sua memória livre; Q4_K_M é um bom começo."),
    ("keep",
     "Keep under its own name",
     "On: the model is saved under its own file name and stays available. Off: it goes to the "
     "test slot MODEL_FOR_TESTING.gguf, which holds only the last downloaded model to save disk "
     "space.",
     "Guardar com o próprio nome",
     "Ligado: o modelo é salvo com o próprio nome de arquivo e continua disponível. Desligado: "
     "vai para a vaga de teste MODEL_FOR_TESTING.gguf, que guarda só o último modelo baixado "
     "para economizar disco."),
    ("download_status", "Download status", "", "Situação do download", ""),
    ("links_text",
     "Text with links",
     "Paste a Hugging Face page (Files and versions) or any text with links: every .gguf link "
     "in it is listed, ready for the Model list.",
     "Texto com links",
     "Cole uma página do Hugging Face (Files and versions) ou qualquer texto com links: todos os "
     "links .gguf dele são listados, prontos para a Lista de modelos."),
    ("extract_links",
     "Extract .gguf links",
     "Lists every .gguf link found in the text, one per line.",
     "Extrair links .gguf",
     "Lista todos os links .gguf encontrados no texto, um por linha."),
    ("msg_download_done", "Saved {}", "", "Salvo: {}", ""),
    ("msg_folder_added", "Added {}", "", "Pasta adicionada: {}", ""),
    ("model_headers",
     "name|GiB|architecture|quantization|parameters (B)|context|folder / problem", "",
     "nome|GiB|arquitetura|quantização|parâmetros (B)|contexto|pasta / problema", ""),
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
     "Modo de aprendizagem: {learning}.", ""),
    ("msg_backend_removed", "Removed {name}.", "", "{name} removido.", ""),
    ("catalogue",
     "Get a capable model",
     "Well-known chat models from 0.5 B to 8 B parameters, each a file pinned on Hugging Face "
     "with its exact size and sha256. The bundled models are tiny: for answers a person "
     "recognises, get one that fits this computer. Bigger models know more and write better, "
     "but answer more slowly (on two cores a 7 B model writes a few words a second).",
     "Obter um modelo capaz",
     "Modelos de conversa conhecidos, de 0,5 B a 8 B parâmetros, cada um um arquivo fixado no "
     "Hugging Face com o tamanho e o sha256 exatos. Os modelos incluídos são minúsculos: para "
     "respostas que uma pessoa reconhece, obtenha um que caiba neste computador. Modelos maiores "
     "sabem mais e escrevem melhor, mas respondem mais devagar (em dois núcleos um modelo de 7 B "
     "escreve poucas palavras por segundo)."),
    ("catalogue_memory",
     "Memory: {memory} {which}. What each model needs, at the default context of {n_ctx} "
     "tokens: its file, the KV cache, llama.cpp's compute buffer and room for Samantha.",
     "",
     "Memória: {memory} {which}. O que cada modelo precisa, no contexto padrão de {n_ctx} "
     "tokens: o arquivo, o cache KV, o buffer de cálculo do llama.cpp e espaço para o Samantha.",
     ""),
    ("catalogue_available", "available now (MemAvailable)", "",
     "disponíveis agora (MemAvailable)", ""),
    ("catalogue_total", "in all (MemTotal)", "", "no total (MemTotal)", ""),
    ("catalogue_unknown",
     "Memory: unknown (this system does not say how much there is).", "",
     "Memória: desconhecida (este sistema não diz quanta há).", ""),
    ("catalogue_headers",
     "Name|Model|File|Memory|Fits?|Languages|Good at|Licence", "",
     "Nome|Modelo|Arquivo|Memória|Cabe?|Línguas|Bom em|Licença", ""),
    ("catalogue_fits", "fits this computer", "", "cabe neste computador", ""),
    ("catalogue_needs", "needs {} GB more", "", "precisa de mais {} GB", ""),
    ("catalogue_here", "downloaded", "", "baixado", ""),
    ("catalogue_pick",
     "Model to download",
     "A name from the table (clicking a row picks it too). The file goes to Samantha's models "
     "folder; an interrupted download resumes where it stopped, and a file whose size or sha256 "
     "is not the catalogue's is refused.",
     "Modelo a baixar",
     "Um nome da tabela (clicar numa linha também o escolhe). O arquivo vai para a pasta de "
     "modelos do Samantha; um download interrompido continua de onde parou, e um arquivo cujo "
     "tamanho ou sha256 não seja o do catálogo é recusado."),
    ("catalogue_get",
     "Download this model",
     "Downloads the chosen model with its progress below. Once saved it appears in Chat, "
     "Models, under its file name. Press again after an error: it resumes.",
     "Baixar este modelo",
     "Baixa o modelo escolhido, com o progresso abaixo. Depois de salvo ele aparece em Conversa, "
     "Modelos, com o nome do arquivo. Pressione de novo depois de um erro: ele continua."),
    ("msg_catalogue_pick_first", "Pick a model of the catalogue first.", "",
     "Escolha primeiro um modelo do catálogo.", ""),
    ("msg_catalogue_done",
     "Saved {}: pick it in Chat, Models, Available models, or write its name in the Model list.",
     "",
     "Salvo {}: escolha-o em Conversa, Modelos, Modelos disponíveis, ou escreva o nome dele na "
     "Lista de modelos.", ""),
)
