"""Labels and help texts of the web interface: the Models tab's catalogue of well-known chat
models, see :mod:`samantha.ui.words.table`.

Rows: (key, English label, English help, Portuguese label, Portuguese help).
"""

ROWS: tuple[tuple[str, str, str, str, str], ...] = (
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
