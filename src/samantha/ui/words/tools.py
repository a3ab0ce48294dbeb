"""The Chat tab's code and Tools panels: the code of an answer, its run and what it made, and
the tools a tab starts (JupyterLab, Datasette, D-Tale, PyInstaller).

Rows as in :mod:`samantha.ui.words.table`: (key, English label, English help, Portuguese
label, Portuguese help).
"""

ROWS: tuple[tuple[str, str, str, str, str], ...] = (
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
