"""Labels and help texts of the web interface, part 2 (see :mod:`samantha.ui.words.table`).

Rows: (key, English label, English help, Portuguese label, Portuguese help).
"""

ROWS: tuple[tuple[str, str, str, str, str], ...] = (
    # ---------------------------------------------------------------- Chat tab: output side
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
    ("next_token",
     "Next token",
     "In learning mode with the NEXT TOKEN pace, generates one token per click, so you can study "
     "each choice. The run holds the model while it waits for the click (other runs wait for "
     "it), and stops by itself 15 s after its tab is closed.",
     "Próximo token",
     "No modo de aprendizagem com o ritmo PRÓXIMO TOKEN, gera um token a cada clique, para você "
     "estudar cada escolha. A execução segura o modelo enquanto espera o clique (as outras "
     "esperam por ela) e para sozinha 15 s depois que a sua aba é fechada."),
    ("copy_last",
     "Copy last response",
     "Copies the last response to the clipboard, even while it is still being written.",
     "Copiar última resposta",
     "Copia a última resposta para a área de transferência, mesmo enquanto ainda está sendo "
     "escrita."),
    ("copy_all",
     "Copy all responses",
     "Copies every response of this session to the clipboard.",
     "Copiar todas as respostas",
     "Copia todas as respostas desta sessão para a área de transferência."),
    ("copy_code",
     "Copy code",
     "Copies the Python code of the last response: its ```python blocks, joined in order, "
     "without the lines that install packages.",
     "Copiar código",
     "Copia o código Python da última resposta: seus blocos ```python, unidos em ordem, sem as "
     "linhas que instalam pacotes."),
    ("run_code",
     "Run code",
     "Runs the code of the Python code box in a separate process with a time limit (60 s by "
     "default); a runaway program cannot block Samantha. No model needs to be loaded.",
     "Executar código",
     "Executa o código da caixa Código Python num processo separado, com limite de tempo (60 s "
     "por padrão); um programa descontrolado não trava a Samantha. Não é preciso carregar "
     "nenhum modelo."),
    ("code_box",
     "Python code",
     "Code to run: paste or edit it here, or take it from the last response. It may use the "
     "packages installed in the Python environment that runs code; plt.show() never blocks.",
     "Código Python",
     "Código a executar: cole ou edite aqui, ou traga-o da última resposta. Ele pode usar os "
     "pacotes instalados no ambiente Python que executa o código; plt.show() nunca trava."),
    ("code_result",
     "Code output",
     "What the program printed (output and errors), its exit status and how long it took.",
     "Saída do código",
     "O que o programa imprimiu (saída e erros), seu código de saída e quanto tempo levou."),
    ("figures",
     "Figures",
     "Matplotlib figures created by the code, saved as images.",
     "Figuras",
     "Figuras do Matplotlib criadas pelo código, salvas como imagens."),
    ("files",
     "Files",
     "Files the code wrote in its working folder, which is kept with the run.",
     "Arquivos",
     "Arquivos que o código gravou na sua pasta de trabalho, que é guardada com a execução."),
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
    ("response_html",
     "Response in HTML",
     "The last response rendered as a page (text, tables and code), followed by the code output "
     "when there is one.",
     "Resposta em HTML",
     "A última resposta exibida como página (texto, tabelas e código), seguida da saída do "
     "código quando houver."),
    ("responses_html",
     "Responses in HTML",
     "Every response of this session rendered as one page.",
     "Respostas em HTML",
     "Todas as respostas desta sessão exibidas numa só página."),
    # ---------------------------------------------------------------- Chat tab: learning mode
    ("learning", "Learning mode", "", "Modo de aprendizagem", ""),
    ("stages",
     "Candidates kept by each stage",
     "How many candidates survived each step of the sampler chain for the current token: watch "
     "a hyperparameter act as you change it.",
     "Candidatos mantidos em cada etapa",
     "Quantos candidatos sobreviveram a cada etapa da cadeia de amostragem no token atual: veja "
     "um hiperparâmetro agir enquanto você o muda."),
    ("candidates",
     "Top candidates",
     "The model's most likely next tokens before any setting acts: rank, id, text piece, raw "
     "score (logit) and probability. The chosen token is marked.",
     "Principais candidatos",
     "Os próximos tokens mais prováveis para o modelo, antes de qualquer ajuste agir: posição, "
     "id, trecho de texto, pontuação bruta (logit) e probabilidade. O token escolhido vem "
     "marcado."),
    ("probabilities_plot",
     "Candidate probabilities",
     "Probability of each top candidate for the current token; the chosen one is highlighted.",
     "Probabilidades dos candidatos",
     "Probabilidade de cada um dos principais candidatos no token atual; o escolhido fica em "
     "destaque."),
    ("ranks_plot",
     "Chosen tokens that were not the most likely",
     "Along the response, the rank of each token chosen although it was not the most likely "
     "one. Empty with deterministic settings.",
     "Tokens escolhidos que não eram os mais prováveis",
     "Ao longo da resposta, a posição de cada token escolhido mesmo sem ser o mais provável. "
     "Vazio com ajustes determinísticos."),
    ("entropy_plot",
     "Entropy along the response",
     "How unsure the model was at each token: high points are where the text could easily have "
     "gone another way.",
     "Entropia ao longo da resposta",
     "Quão incerto o modelo estava em cada token: os pontos altos são onde o texto poderia "
     "facilmente ter seguido outro caminho."),
    ("unlikely",
     "Less likely tokens chosen",
     "The chosen tokens that were not the model's first choice, with their text and rank, for "
     "each response.",
     "Tokens menos prováveis escolhidos",
     "Os tokens escolhidos que não eram a primeira opção do modelo, com texto e posição, em "
     "cada resposta."),
    ("vocabulary",
     "Model vocabulary",
     "The model's tokens by id, special tokens included (they separate the parts of a chat).",
     "Vocabulário do modelo",
     "Os tokens do modelo por id, incluindo os especiais (que separam as partes de um chat)."),
    ("vocab_from",
     "From id",
     "First token id to list; ids start at 0.",
     "Do id",
     "Primeiro id de token a listar; os ids começam em 0."),
    ("vocab_to",
     "To id",
     "Last token id to list. Keep the range small: a vocabulary often has tens of thousands of "
     "tokens.",
     "Até o id",
     "Último id de token a listar. Mantenha o intervalo pequeno: um vocabulário costuma ter "
     "dezenas de milhares de tokens."),
    ("vocab_show",
     "Show vocabulary",
     "Lists the tokens in that id range. The model file is read; nothing is generated.",
     "Mostrar vocabulário",
     "Lista os tokens nesse intervalo de ids. O arquivo do modelo é lido; nada é gerado."),
    ("metadata",
     "Model metadata",
     "What the GGUF file says about the model: architecture, trained context length, chat "
     "template, quantization, size. Read without loading the model.",
     "Metadados do modelo",
     "O que o arquivo GGUF diz sobre o modelo: arquitetura, tamanho do contexto de treino, modelo "
     "de chat (chat template), quantização, tamanho. Lido sem carregar o modelo."),
    # ---------------------------------------------------------------- Chat tab: files, examples
    ("import_system",
     "Import system prompt (TXT)",
     "Fills the SYSTEM prompt field with the text of a .txt file.",
     "Importar prompt do sistema (TXT)",
     "Preenche o campo Prompt do SISTEMA com o texto de um arquivo .txt."),
    ("import_previous",
     "Import previous response (TXT)",
     "Fills the ASSISTANT previous response field with the text of a .txt file.",
     "Importar resposta anterior (TXT)",
     "Preenche o campo Resposta anterior do ASSISTENTE com o texto de um arquivo .txt."),
    ("import_prompts",
     "Import prompts (TXT)",
     "Fills the USER prompt field with a prompt list saved in a .txt file.",
     "Importar prompts (TXT)",
     "Preenche o campo Prompt do USUÁRIO com uma lista de prompts salva num arquivo .txt."),
    ("import_models",
     "Import model list (TXT)",
     "Fills the Model list with the lines of a .txt file: file names, default or URLs.",
     "Importar lista de modelos (TXT)",
     "Preenche a Lista de modelos com as linhas de um arquivo .txt: nomes de arquivo, default "
     "ou URLs."),
    ("import_pdf_pages",
     "PDF pages",
     "Fills the USER prompt field with a PDF, one item per page (\"Page 1 of 9: …\", separated "
     "by $$$), each after the PDF instruction, then the final request over all the answers. "
     "Scanned pages without text are left out.",
     "Páginas do PDF",
     "Preenche o campo Prompt do USUÁRIO com um PDF, um item por página (\"Page 1 of 9: …\", "
     "separadas por $$$), cada uma depois da instrução para PDF, e por fim o pedido final sobre "
     "todas as respostas. Páginas escaneadas, sem texto, ficam de fora."),
    ("import_pdf_whole",
     "Full PDF",
     "Fills the USER prompt field with the whole text of a PDF as one item, after the PDF "
     "instruction. Mind the context size (n_ctx): a long document may not fit.",
     "PDF inteiro",
     "Preenche o campo Prompt do USUÁRIO com o texto inteiro de um PDF como um só item, depois "
     "da instrução para PDF. Atenção ao tamanho do contexto (n_ctx): um documento longo pode "
     "não caber."),
    ("pdf_instruction",
     "PDF instruction",
     "Put before each page (or before the whole text): it becomes the script's [prefix]. "
     "Empty: the pages alone.",
     "Instrução para PDF",
     "Vai antes de cada página (ou do texto inteiro): vira o [prefixo] do script. Vazia: só as "
     "páginas."),
    ("pdf_final",
     "Final request (PDF pages)",
     "The last item, answered with every page's answer below it: it becomes the script's "
     "[[final]]. Empty: no final item.",
     "Pedido final (páginas do PDF)",
     "O último item, respondido com a resposta de cada página abaixo dele: vira o [[final]] do "
     "script. Vazio: sem item final."),
    ("pdf_instruction_text",
     "Summarize this text in a few sentences. Keep names, numbers and conclusions.", "",
     "Resuma este texto em poucas frases. Mantenha nomes, números e conclusões.", ""),
    ("pdf_final_text",
     "Write a summary of the whole document from the page summaries above.", "",
     "Escreva um resumo do documento inteiro a partir dos resumos das páginas acima.", ""),
    ("save_prompts",
     "Save prompts (TXT)",
     "Saves the USER prompt field as a .txt file, to import it again later.",
     "Salvar prompts (TXT)",
     "Salva o campo Prompt do USUÁRIO num arquivo .txt, para importá-lo de novo depois."),
    ("examples_user",
     "Example user prompts",
     "Click an example to copy it into the USER prompt field. Each is made for a bundled model, "
     "named after it in the list: picking it puts that model (or models) in the model list, "
     "turns the Feedback loop on for a chain that works on the previous response and Single "
     "response per model on for the intelligence challenge. Lines starting with --- are notes "
     "(ignored when it runs), e.g. which bigger model a task needs. The examples live in an "
     "editable text file in the data home (prompts/).",
     "Exemplos de prompts do usuário",
     "Clique num exemplo para copiá-lo para o campo Prompt do USUÁRIO. Cada um é feito para um "
     "modelo incluído, cujo nome aparece na lista: escolhê-lo põe esse modelo na lista de "
     "modelos, liga o Loop de feedback numa cadeia que trabalha sobre a resposta anterior e "
     "ajusta Resposta única por modelo ao que o exemplo pede. Os exemplos em português são "
     "para o Gemma (default), que continua o texto que recebe. Linhas que começam com --- são "
     "notas (ignoradas na execução). Os exemplos ficam num arquivo de texto editável na pasta "
     "de dados (prompts/)."),
    ("examples_system",
     "Example system prompts",
     "Click an example to copy it into the SYSTEM prompt field (and its model into the model "
     "list). A system prompt needs a chat model (smollm2 or a bigger one). The examples live in "
     "an editable text file in the data home (prompts/).",
     "Exemplos de prompts do sistema",
     "Clique num exemplo para copiá-lo para o campo Prompt do SISTEMA (e o seu modelo para a "
     "lista de modelos). Um prompt do sistema pede um modelo de chat que fale português, maior "
     "que os incluídos (veja o catálogo em Modelos). Os exemplos ficam num arquivo de texto "
     "editável na pasta de dados (prompts/)."),
    # ---------------------------------------------------------------- History tab
    ("history_tab", "History", "", "Histórico", ""),
    ("history_search",
     "Search runs",
     "Shows only the runs whose models, prompts or responses contain these words. Leave it "
     "empty to see them all.",
     "Buscar execuções",
     "Mostra só as execuções cujos modelos, prompts ou respostas contêm estas palavras. Deixe "
     "vazio para ver todas."),
    ("history_refresh",
     "Refresh",
     "Reloads the list of runs, with the newest first.",
     "Atualizar",
     "Recarrega a lista de execuções, das mais novas para as mais antigas."),
    ("runs",
     "Runs",
     "Every run is saved: date, models, prompts, settings (random ones included), responses and "
     "timings. Pick one to open, re-run or export it.",
     "Execuções",
     "Toda execução é salva: data, modelos, prompts, ajustes (inclusive os aleatórios), "
     "respostas e tempos. Escolha uma para abrir, executar de novo ou exportar."),
    ("run_id",
     "Run id",
     "Number of the run to open, re-run or export, as shown in the list.",
     "Id da execução",
     "Número da execução a abrir, executar de novo ou exportar, como aparece na lista."),
    ("open_run",
     "Open run",
     "Shows the chosen run below, cycle by cycle, with everything needed to repeat it.",
     "Abrir execução",
     "Mostra abaixo a execução escolhida, ciclo a ciclo, com tudo o que é preciso para "
     "repeti-la."),
    ("run_view",
     "Run",
     "Each cycle of the run: model, prompt, settings, response, speed in tokens per second and "
     "code output.",
     "Execução",
     "Cada ciclo da execução: modelo, prompt, ajustes, resposta, velocidade em tokens por "
     "segundo e saída do código."),
    ("export_format",
     "Export format",
     "HTML to read and share, Markdown to edit, JSON with every detail for analysis.",
     "Formato de exportação",
     "HTML para ler e compartilhar, Markdown para editar, JSON com todos os detalhes para "
     "análise."),
    ("export",
     "Export",
     "Saves the chosen run in the chosen format and offers the file for download.",
     "Exportar",
     "Salva a execução escolhida no formato escolhido e oferece o arquivo para download."),
    ("compare_run",
     "Compare models",
     "Shows the chosen run as a table: a row per prompt, a column per model, every answer side "
     "by side with its tokens per second, and each model's speed over the run.",
     "Comparar modelos",
     "Mostra a execução escolhida como uma tabela: uma linha por prompt, uma coluna por modelo, "
     "as respostas lado a lado com seus tokens por segundo, e a velocidade de cada modelo na "
     "execução."),
    ("rerun",
     "Re-run",
     "Runs the chosen run again with the same models, prompts, settings and seed, to check that "
     "it is reproducible. The result is saved as a new run.",
     "Executar de novo",
     "Executa de novo a execução escolhida com os mesmos modelos, prompts, ajustes e semente, "
     "para conferir se é reproduzível. O resultado é salvo como uma nova execução."),
    # ---------------------------------------------------------------- Models tab
    ("models_tab", "Models", "", "Modelos", ""),
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
    ("download",
     "Download",
     "Downloads the model, showing the progress. An interrupted download resumes where it "
     "stopped, and the file is checked before use.",
     "Baixar",
     "Baixa o modelo mostrando o progresso. Um download interrompido continua de onde parou, e o "
     "arquivo é verificado antes do uso."),
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
    ("model_info",
     "Model information",
     "What the chosen file says about itself: architecture, trained context length, chat "
     "template, quantization and size, read without loading the model.",
     "Informações do modelo",
     "O que o arquivo escolhido diz sobre si: arquitetura, tamanho do contexto de treino, modelo "
     "de chat (chat template), quantização e tamanho, lidos sem carregar o modelo."),
    # ---------------------------------------------------------------- Messages
    ("msg_no_prompt",
     "Write at least one prompt in the USER prompt field.", "",
     "Escreva pelo menos um prompt no campo Prompt do USUÁRIO.", ""),
    ("msg_no_model",
     "Write at least one model in the Model list: a file name, default or a .gguf URL.", "",
     "Escreva pelo menos um modelo na Lista de modelos: um nome de arquivo, default ou uma URL "
     ".gguf.", ""),
    ("msg_stopped", "Stopped.", "", "Parado.", ""),
    ("msg_run_saved", "Run {} saved in the history.", "", "Execução {} salva no histórico.", ""),
    ("msg_copied", "Copied to the clipboard.", "", "Copiado para a área de transferência.", ""),
    ("msg_no_code",
     "The last response has no Python code.", "",
     "A última resposta não tem código Python.", ""),
    ("msg_download_done", "Saved {}", "", "Salvo: {}", ""),
    ("msg_folder_added", "Added {}", "", "Pasta adicionada: {}", ""),
    ("msg_no_runs",
     "No runs in the history yet: press Start on the Chat tab.", "",
     "Ainda não há execuções no histórico: pressione Iniciar na aba Chat.", ""),
    ("msg_working", "Loading the model…", "", "Carregando o modelo…", ""),
    ("msg_prompt_ready",
     "The prompt is ready: press Next token to choose each token.", "",
     "O prompt está pronto: pressione Próximo token para escolher cada token.", ""),
    # ---------------------------------------------------------------- the page before the key
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
)
