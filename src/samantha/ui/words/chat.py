"""The Chat tab: the prompts, the buttons, the output and its footers, the plan line, the
models panel, the chain options, files and examples, and the messages of a run.

Rows as in :mod:`samantha.ui.words.table`: (key, English label, English help, Portuguese
label, Portuguese help).
"""

ROWS: tuple[tuple[str, str, str, str, str], ...] = (
    ("stop_next",
     "Stop / Next",
     "Ends the current response at once and goes on with the next prompt or model, if any. It "
     "also works while the prompt is being read, a model is downloading or code is running.",
     "Parar / Próximo",
     "Encerra na hora a resposta atual e segue para o próximo prompt ou modelo, se houver. "
     "Também funciona enquanto o prompt é lido, um modelo é baixado ou um código é executado."),
    ("clean_history",
     "Clean history",
     "Clears the Assistant output and forgets the previous response kept by the feedback loop, "
     "so the next run starts fresh. Saved runs on the History tab are not deleted.",
     "Limpar histórico",
     "Limpa a Saída do Assistente e esquece a resposta anterior guardada pelo loop de feedback, "
     "para que a próxima execução comece do zero. As execuções salvas na aba Histórico não são "
     "apagadas."),
    ("replace_response",
     "Replace response",
     "Copies the last response into the ASSISTANT previous response field, so that the next run "
     "continues from it. Edit it there first if you like.",
     "Substituir resposta",
     "Copia a última resposta para o campo Resposta anterior do ASSISTENTE, para que a próxima "
     "execução continue a partir dela. Se quiser, edite-a ali antes."),
    ("unload_model",
     "Unload model",
     "Removes the model from memory. A model is also unloaded automatically when another one "
     "must answer. Unload it after changing n_ctx so that the new context size applies.",
     "Descarregar modelo",
     "Retira o modelo da memória. O modelo também é descarregado automaticamente quando outro "
     "precisa responder. Descarregue-o depois de mudar n_ctx para que o novo tamanho de contexto "
     "valha."),
    ("system_prompt",
     "SYSTEM prompt",
     "General instructions for the whole run: role, tone, rules (e.g. You are a Python teacher). "
     "Parts separated by $$$ that start with --- are ignored; the first remaining part is used. "
     "Not every model supports it: write x = 2 here and ask the model for x to find out.",
     "Prompt do SISTEMA",
     "Instruções gerais para toda a execução: papel, tom, regras (ex.: Você é um professor de "
     "Python). Partes separadas por $$$ que começam com --- são ignoradas; vale a primeira parte "
     "restante. Nem todo modelo aceita: escreva x = 2 aqui e pergunte ao modelo o valor de x."),
    ("feedback_loop",
     "Feedback loop",
     "When on, each response becomes the ASSISTANT previous response of the next cycle, even "
     "when another model answers, so models can improve each other's work with no human in the "
     "loop. When off, the text of that field is used in every cycle. Off by default.",
     "Loop de feedback",
     "Quando ligado, cada resposta passa a ser a Resposta anterior do ASSISTENTE do ciclo "
     "seguinte, mesmo quando outro modelo responde: os modelos aperfeiçoam o trabalho uns dos "
     "outros sem intervenção humana. Desligado, o texto desse campo é usado em todos os ciclos. "
     "Desligado por padrão."),
    ("previous_response",
     "ASSISTANT previous response",
     "Text the model sees as its own previous answer, just before the USER prompt. With the "
     "feedback loop on, it is used only in the first cycle. Same $$$ and --- rules as the "
     "SYSTEM prompt; leave it empty for none.",
     "Resposta anterior do ASSISTENTE",
     "Texto que o modelo vê como a sua própria resposta anterior, logo antes do Prompt do "
     "USUÁRIO. Com o loop de feedback ligado, só é usado no primeiro ciclo. Mesmas regras de $$$ "
     "e --- do Prompt do SISTEMA; deixe vazio para não usar."),
    ("user_prompt",
     "USER prompt",
     "The list of prompts, answered in order: one per line, or separated by $$$ when a prompt "
     "spans several lines. --- at the start ignores a prompt; a [text] block is put before every "
     "prompt; a [[text]] block becomes a last prompt that receives all the responses; "
     "{temperature=0.7, max_tokens=200} at the start of a prompt sets its own parameters.",
     "Prompt do USUÁRIO",
     "A lista de prompts, respondidos em ordem: um por linha, ou separados por $$$ quando um "
     "prompt ocupa várias linhas. --- no início ignora um prompt; um bloco [texto] é colocado "
     "antes de cada prompt; um bloco [[texto]] vira um último prompt que recebe todas as "
     "respostas; {temperature=0.7, max_tokens=200} no início de um prompt define os parâmetros "
     "só dele."),
    ("prompt_grammar",
     "One prompt per line, or separated by $$$ · --- ignores a prompt · [prefix] goes before "
     "every prompt · [[final]] gets all the responses · {temperature=0.7} at the start of a "
     "prompt sets its parameters",
     "",
     "Um prompt por linha, ou separados por $$$ · --- ignora um prompt · [prefixo] vai antes de "
     "cada prompt · [[final]] recebe todas as respostas · {temperature=0.7} no início de um "
     "prompt define os parâmetros dele",
     ""),
    ("add_model",
     "Available models",
     "The .gguf files found in the model folders, then the models of the remote backends as "
     "MODEL@NAME (see the Models tab). Pick one and add it to the end of the Model list.",
     "Modelos disponíveis",
     "Os arquivos .gguf encontrados nas pastas de modelos, depois os modelos dos backends "
     "remotos como MODELO@NOME (veja a aba Modelos). Escolha um e acrescente-o ao final da "
     "Lista de modelos."),
    ("add_model_button",
     "Add to the list",
     "Appends the chosen model to the end of the Model list. Add it twice to make it "
     "answer twice.",
     "Adicionar à lista",
     "Acrescenta o modelo escolhido ao final da Lista de modelos. Adicione-o duas vezes "
     "para que ele responda duas vezes."),
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
    ("model_info",
     "Model information",
     "What the chosen file says about itself: architecture, trained context length, chat "
     "template, quantization and size, read without loading the model.",
     "Informações do modelo",
     "O que o arquivo escolhido diz sobre si: arquitetura, tamanho do contexto de treino, modelo "
     "de chat (chat template), quantização e tamanho, lidos sem carregar o modelo."),
    ("msg_no_prompt",
     "Write at least one prompt in the USER prompt field.", "",
     "Escreva pelo menos um prompt no campo Prompt do USUÁRIO.", ""),
    ("msg_no_model",
     "Write at least one model in the Model list: a file name, default or a .gguf URL.", "",
     "Escreva pelo menos um modelo na Lista de modelos: um nome de arquivo, default ou uma URL "
     ".gguf.", ""),
    ("msg_stopped", "Stopped.", "", "Parado.", ""),
    ("msg_copied", "Copied to the clipboard.", "", "Copiado para a área de transferência.", ""),
    ("msg_no_code",
     "The last response has no Python code.", "",
     "A última resposta não tem código Python.", ""),
    ("msg_working", "Loading the model…", "", "Carregando o modelo…", ""),
    ("msg_prompt_ready",
     "The prompt is ready: press Next token to choose each token.", "",
     "O prompt está pronto: pressione Próximo token para escolher cada token.", ""),
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
    ("conversation", "System prompt and previous response", "",
     "Prompt do sistema e resposta anterior", ""),
    ("files_examples", "Files and examples", "", "Arquivos e exemplos", ""),
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
    ("msg_answer_restarted",
     "{reason} Starting the answer again on {backend}.", "",
     "{reason} Recomeçando a resposta em {backend}.", ""),
    ("answered_by", "answered by {model}", "", "respondido por {model}", ""),
    ("verdict_won", "Verdict: {winner} wins. Scores: {scores}. Reason: {reason}", "",
     "Veredito: {winner} vence. Notas: {scores}. Motivo: {reason}", ""),
    ("verdict_tie", "Verdict: a tie. Scores: {scores}. Reason: {reason}", "",
     "Veredito: empate. Notas: {scores}. Motivo: {reason}", ""),
    ("verdict_unread", "Verdict: none could be read ({problem}); nothing is guessed.", "",
     "Veredito: nenhum pôde ser lido ({problem}); nada é adivinhado.", ""),
    ("checks_passed", "Checks: {passed} of {total} passed.", "",
     "Verificações: {passed} de {total} passaram.", ""),
    ("check_failed", "failed: {spec}: {detail}", "", "falhou: {spec}: {detail}", ""),
    ("check_undone", "not checked: {spec}: {detail}", "",
     "não verificada: {spec}: {detail}", ""),
)
