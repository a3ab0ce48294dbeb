"""Labels and help texts of the web interface, part 6: learning mode as an explainer (branches
from a candidate, the trace page; see :mod:`samantha.ui.words.table`).

Rows: (key, English label, English help, Portuguese label, Portuguese help).
"""

ROWS: tuple[tuple[str, str, str, str, str], ...] = (
    ("branch_token",
     "Branch from token id",
     "Click a candidate in the table above (or type its id) to answer again from there: the "
     "same prompt, the tokens before this one, that candidate instead, then the same settings. "
     "The branch is stored in the history, linked to this answer.",
     "Ramificar a partir do token id",
     "Clique num candidato da tabela acima (ou digite o seu id) para responder de novo a partir "
     "dali: o mesmo prompt, os tokens anteriores a este, aquele candidato no lugar, depois as "
     "mesmas configurações. A ramificação fica guardada no histórico, ligada a esta resposta."),
    ("branch_more",
     "Tokens after it",
     "How many tokens the branch writes after the candidate.",
     "Tokens depois dele",
     "Quantos tokens a ramificação escreve depois do candidato."),
    ("branch_button", "Branch from it", "", "Ramificar daqui", ""),
    ("what_if_example", "e.g. tfs_z=1, typical_p=1, top_p=1, min_p=0, temperature=1, then Enter",
     "",
     "ex.: tfs_z=1, typical_p=1, top_p=1, min_p=0, temperature=1, depois Enter", ""),
    ("what_if_one", "One candidate is left: {stage} keeps only one.", "",
     "Sobra um candidato só: {stage} mantém só um.", ""),
    ("what_if_more", "To keep more, write: {changes}", "",
     "Para manter mais, escreva: {changes}", ""),
    ("chat_branch",
     "Click a candidate in the table to answer again from it, once the answer is in: the same "
     "prompt and tokens before this one, that candidate instead, then the same settings. The "
     "branch appears below, beside this answer, and is stored in the history (the History tab's "
     "trace viewer branches from any token).", "",
     "Clique num candidato da tabela para responder de novo a partir dele, quando a resposta "
     "estiver pronta: o mesmo prompt e os tokens anteriores a este, aquele candidato no lugar, "
     "depois as mesmas configurações. A ramificação aparece abaixo, ao lado desta resposta, e "
     "fica guardada no histórico (o visualizador de rastros da aba Histórico ramifica de "
     "qualquer token).", ""),
    ("msg_branch_wait",
     "A chain is running in this tab: branch once it has ended.", "",
     "Uma cadeia está em execução nesta aba: ramifique quando ela terminar.", ""),
    ("msg_branch_needs_trace",
     "Run an answer with learning mode on first: a branch starts from one of its candidates.",
     "",
     "Gere primeiro uma resposta com o modo de aprendizado ligado: uma ramificação parte de um "
     "dos seus candidatos.", ""),
    ("branch_original", "Original answer", "", "Resposta original", ""),
    ("branch_branch", "Branch", "", "Ramificação", ""),
    ("msg_branch_stored",
     "Stored as run {run}: a branch of run {parent}, cycle {cycle}, at token {step}.", "",
     "Guardada como execução {run}: uma ramificação da execução {parent}, ciclo {cycle}, no "
     "token {step}.", ""),
    ("what_if",
     "What if",
     "Other settings for the token in view, e.g. tfs_z=1, typical_p=1, top_p=1, min_p=0, "
     "temperature=1 (then Enter): the table shows which candidates that chain would keep from "
     "the same scores, and with what probabilities. Nothing is generated again. The default "
     "settings keep only the most likely candidate at four stages (tail-free 0, typical 0, "
     "top-p 0, min-p 1) and temperature 0 picks it, so a change to one of them alone shows "
     "nothing new: the example switches them off and shows top-k's 40 candidates with the "
     "model's own probabilities; add e.g. top_p=0.5 or min_p=0.1 to it. When one candidate is "
     "left, a line above the table says which stage cut the list to one and what to write to "
     "keep more.",
     "E se",
     "Outras configurações para o token em vista, p. ex. tfs_z=1, typical_p=1, top_p=1, "
     "min_p=0, temperature=1 (depois Enter): a tabela mostra quais candidatos essa cadeia "
     "manteria das mesmas pontuações, e com que probabilidades. Nada é gerado de novo. As "
     "configurações padrão mantêm só o candidato mais provável em quatro estágios (tail-free 0, "
     "typical 0, top-p 0, min-p 1) e a temperatura 0 o escolhe, então mudar só um deles não "
     "mostra nada de novo: o exemplo os desliga e mostra os 40 candidatos do top-k com as "
     "probabilidades do próprio modelo; acrescente p. ex. top_p=0.5 ou min_p=0.1. Quando sobra "
     "um candidato só, uma linha acima da tabela diz qual estágio reduziu a lista a um e o que "
     "escrever para manter mais."),
    ("trace_page",
     "Trace as a page",
     "A self-contained HTML page of this trace (no network): the answer coloured token by "
     "token, each token's candidates and stages, and the plots, for handing out.",
     "Rastro como página",
     "Uma página HTML autocontida deste rastro (sem rede): a resposta colorida token por token, "
     "os candidatos e estágios de cada token e os gráficos, para distribuir."),
)
