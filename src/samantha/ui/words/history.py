"""The History tab: the runs, their search, export, compare, run again and resume, and the
leaderboard of the chosen run.

Rows as in :mod:`samantha.ui.words.table`: (key, English label, English help, Portuguese
label, Portuguese help).
"""

ROWS: tuple[tuple[str, str, str, str, str], ...] = (
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
    ("msg_run_saved", "Run {} saved in the history.", "", "Execução {} salva no histórico.", ""),
    ("msg_no_runs",
     "No runs in the history yet: press Start on the Chat tab.", "",
     "Ainda não há execuções no histórico: pressione Iniciar na aba Chat.", ""),
    ("history_headers", "id|started|status|prompts|models", "",
     "id|início|situação|prompts|modelos", ""),
    ("run_statuses", "running|finished|stopped|failed|interrupted", "",
     "em execução|concluída|parada|falhou|interrompida", ""),
    ("rerun_changes",
     "Changes for Rerun",
     "Settings to change when running it again, written as in a prompt's {…} block: "
     "temperature=0.8, max_tokens=100. Add model=NAME to use another model. Empty: the very "
     "same run.",
     "Mudanças para Reexecutar",
     "Ajustes a mudar ao executar de novo, escritos como no bloco {…} de um prompt: "
     "temperature=0.8, max_tokens=100. Acrescente model=NOME para usar outro modelo. Vazio: "
     "exatamente a mesma execução."),
    ("resume",
     "Resume",
     "Continues an interrupted run (its program ended before it finished) from its first "
     "unfinished cycle, in the same run, as if it had never stopped.",
     "Retomar",
     "Continua uma execução interrompida (o programa terminou antes dela) a partir do primeiro "
     "ciclo não concluído, na mesma execução, como se nunca tivesse parado."),
    ("history_leaderboard",
     "Leaderboard",
     "The chosen run's results by model: the judges' mean scores with their 95% intervals "
     "(and a chart of them), the checks passed, the speed, and a rating from the votes. To fill "
     "it: have judge models score the answers, in a terminal: `samantha judge ID --judge "
     "smollm2` (ID: the run's id; add `--pairwise` to have them compare answers two by two); "
     "give prompts checks before running them, e.g. `{check=contains:Paris}`; and vote between "
     "answers in the Arena tab. It is shown when you open a run or this section.",
     "Classificação",
     "Os resultados da execução escolhida por modelo: as notas médias dos juízes com seus "
     "intervalos de 95% (e um gráfico delas), as verificações aprovadas, a velocidade e uma "
     "nota a partir dos votos. Para preenchê-la: peça a modelos juízes que deem notas às "
     "respostas, num terminal: `samantha judge ID --judge smollm2` (ID: o id da execução; "
     "acrescente `--pairwise` para que comparem as respostas de duas em duas); dê verificações "
     "aos prompts antes de executá-los, por exemplo `{check=contains:Paris}`; e vote entre "
     "respostas na arena às cegas. Ela aparece quando você abre uma execução ou esta seção."),
    ("board_model", "Model", "",
     "Modelo", ""),
    ("board_answers", "Answers", "",
     "Respostas", ""),
    ("board_overall", "Overall (mean [{level} interval])", "",
     "Geral (média [intervalo de {level}])", ""),
    ("board_judged", "Judged", "",
     "Julgadas", ""),
    ("board_unread", "{judged} ({unread} unread)", "",
     "{judged} ({unread} ilegíveis)", ""),
    ("board_checks", "Checks passed", "",
     "Verificações aprovadas", ""),
    ("board_speed", "Tokens/s", "",
     "Tokens/s", ""),
    ("board_rating", "Rating (Elo-like)", "",
     "Nota (escala Elo)", ""),
    ("board_empty", "No answers to rank yet.", "",
     "Ainda não há respostas para classificar.", ""),
    ("board_chart", "Overall score by model", "",
     "Nota geral por modelo", ""),
    ("board_axis", "mean score, {level} interval", "",
     "nota média, intervalo de {level}", ""),
    ("board_bias",
     "Judge {judge}: {consistent} of {pairs} pairs judged the same in both orders; the answer "
     "shown first won {share} of {decisive} decisive votes (50% is no position bias).", "",
     "Juiz {judge}: {consistent} de {pairs} pares julgados igualmente nas duas ordens; a "
     "resposta mostrada primeiro venceu {share} de {decisive} votos decisivos (50% é nenhum "
     "viés de posição).", ""),
    ("judge_models", "Judge models",
     "The models that score each answer, separated by commas (a panel when several): a local "
     "model (smollm2, default, a file) or MODEL@BACKEND. A judge's answer is held to a JSON "
     "form, so even a small model answers in form; the bundled ones are too small to judge "
     "well (a 7B instruction model is a fair judge).",
     "Modelos juízes",
     "Os modelos que dão notas a cada resposta, separados por vírgulas (um painel quando são "
     "vários): um modelo local (smollm2, default, um arquivo) ou MODELO@BACKEND. A resposta do "
     "juiz é presa a um formulário JSON, então até um modelo pequeno responde na forma; os "
     "embutidos são pequenos demais para julgar bem (um modelo de instruções de 7B é um juiz "
     "razoável)."),
    ("judge_rubric", "Rubric",
     "The criteria each answer is scored on, 1 to 5: seed is the predecessor's nine (in "
     "English; seed-pt in Portuguese), or a rubric kept in the data home's rubrics folder.",
     "Rubrica",
     "Os critérios em que cada resposta recebe nota de 1 a 5: seed são os nove do "
     "predecessor (em inglês; seed-pt em português), ou uma rubrica guardada na pasta "
     "rubrics da pasta de dados."),
    ("judge_pairwise", "Two by two",
     "Instead of scoring each answer, compare the answers of different models to the same "
     "prompt, each pair in both orders: the leaderboard then rates the models and says how "
     "often the judge just picked the answer shown first.",
     "De dois em dois",
     "Em vez de dar nota a cada resposta, compara as respostas de modelos diferentes ao mesmo "
     "prompt, cada par nas duas ordens: a classificação então dá uma nota aos modelos e diz "
     "com que frequência o juiz só escolheu a resposta mostrada primeiro."),
    ("judge_go", "Judge this run", "", "Julgar esta execução", ""),
    ("msg_judge_what", "Choose a run above and name at least one judge model.", "",
     "Escolha uma execução acima e indique pelo menos um modelo juiz.", ""),
    ("msg_judging", "Judging: {done} of {total} done ({judge})…", "",
     "Julgando: {done} de {total} feitos ({judge})…", ""),
    ("msg_judged",
     "Done: {done} judgements stored ({unread} could not be read: counted, never scored).", "",
     "Pronto: {done} julgamentos guardados ({unread} ilegíveis: contados, nunca pontuados).",
     ""),
    ("msg_judged_before",
     "Nothing new to judge: these judges have judged every answer of this run on this rubric.",
     "",
     "Nada novo a julgar: estes juízes já julgaram todas as respostas desta execução com esta "
     "rubrica.", ""),
)
