"""The Arena tab: two answers to the same prompt, the models hidden, your vote, your ratings.

Rows as in :mod:`samantha.ui.words.table`: (key, English label, English help, Portuguese
label, Portuguese help). In Portuguese texts shown on the page the tab is "a arena" (lower
case), as people say it.
"""

ROWS: tuple[tuple[str, str, str, str, str], ...] = (
    ("arena_tab", "Arena", "", "Arena às cegas", ""),
    ("arena_intro",
     "Which answer is better?",
     "Two answers to the same prompt, side by side, without the names of the models that wrote "
     "them: read both and vote. The names are shown after your vote, and each vote is saved in "
     "the history. Hidden names keep a favourite model from winning by its name, and the order "
     "is drawn at random, so the answer shown first has no advantage either.",
     "Qual resposta é melhor?",
     "Duas respostas ao mesmo prompt, lado a lado, sem os nomes dos modelos que as escreveram: "
     "leia as duas e vote. Os nomes aparecem depois do seu voto, e cada voto fica salvo no "
     "histórico. Com os nomes escondidos, um modelo preferido não ganha pelo nome, e a ordem é "
     "sorteada, então a resposta mostrada primeiro também não leva vantagem."),
    ("arena_runs",
     "Runs to compare",
     "Choose one run, or several, from the history. Answers to the same prompt by two "
     "different models are compared two at a time. With several runs, each model of each run "
     "competes on its own (the same model with two settings, say), on the prompts the runs "
     "have in common.",
     "Execuções a comparar",
     "Escolha uma execução, ou várias, do histórico. Respostas ao mesmo prompt de dois modelos "
     "diferentes são comparadas de duas em duas. Com várias execuções, cada modelo de cada "
     "execução compete por si (o mesmo modelo com dois ajustes, por exemplo), nos prompts que "
     "as execuções têm em comum."),
    ("arena_refresh",
     "Refresh the list",
     "Reads the list of runs again, with the newest first: a run finished since you opened the "
     "tab appears.",
     "Atualizar a lista",
     "Lê de novo a lista de execuções, das mais novas para as mais antigas: uma execução "
     "concluída depois que você abriu a aba aparece."),
    ("arena_next",
     "Next pair",
     "Shows a pair of answers you have not voted on yet, drawn at random, in a random order. "
     "The models stay hidden until you vote.",
     "Próximo par",
     "Mostra um par de respostas em que você ainda não votou, sorteado, em ordem sorteada. Os "
     "modelos ficam escondidos até o seu voto."),
    ("arena_prompt", "The prompt", "", "O prompt", ""),
    ("arena_answer_a", "Answer A", "", "Resposta A", ""),
    ("arena_answer_b", "Answer B", "", "Resposta B", ""),
    ("arena_a_better",
     "A is better",
     "Votes for Answer A: more correct, clearer or more useful, as you judge it. Then the names "
     "are shown and the vote is saved.",
     "A é melhor",
     "Vota na Resposta A: mais correta, mais clara ou mais útil, no seu julgamento. Depois os "
     "nomes aparecem e o voto é salvo."),
    ("arena_b_better",
     "B is better",
     "Votes for Answer B: more correct, clearer or more useful, as you judge it. Then the names "
     "are shown and the vote is saved.",
     "B é melhor",
     "Vota na Resposta B: mais correta, mais clara ou mais útil, no seu julgamento. Depois os "
     "nomes aparecem e o voto é salvo."),
    ("arena_tie",
     "Tie",
     "Both answers are as good (or as bad) as each other: each model gets half a win. Use it "
     "when you really cannot choose; a slight preference is worth a vote.",
     "Empate",
     "As duas respostas são igualmente boas (ou ruins): cada modelo ganha meia vitória. Use "
     "quando não dá mesmo para escolher; uma leve preferência já vale um voto."),
    ("arena_ratings",
     "Your ratings",
     "The models of the chosen runs rated from all your votes on them, the best first.",
     "Suas notas",
     "Os modelos das execuções escolhidas avaliados por todos os seus votos nelas, o melhor "
     "primeiro."),
    ("arena_headers", "model|rating|95% interval|games|share won", "",
     "modelo|nota|intervalo de 95%|jogos|parte vencida", ""),
    ("arena_note",
     "How the ratings are made",
     "Your votes are fitted with the Bradley-Terry model: each model gets a strength, and A "
     "beats B with the probability strength A / (strength A + strength B); a tie counts as "
     "half a win for each. Strengths are shown on an Elo-like scale, where 1000 is the average "
     "model and 400 points more mean ten times the odds of winning. The interval is the middle "
     "95% of the ratings fitted again on 1,000 resamples of your votes (the bootstrap): with "
     "few votes it is wide, and two models whose intervals overlap are not told apart yet. A "
     "dash instead: your votes so far all agree (a single vote, say), so resampling them "
     "cannot show how far off the rating may be; vote on more pairs. Only your own votes "
     "count here; the leaderboard in the History tab also counts judge models' votes.",
     "Como as notas são calculadas",
     "Seus votos são ajustados com o modelo de Bradley-Terry: cada modelo recebe uma força, e "
     "A vence B com a probabilidade força A / (força A + força B); um empate conta como meia "
     "vitória para cada um. As forças aparecem numa escala parecida com a do Elo, em que 1000 "
     "é o modelo médio e 400 pontos a mais significam dez vezes a chance de vencer. O intervalo "
     "é o meio (95%) das notas ajustadas de novo em 1.000 reamostragens dos seus votos (o "
     "bootstrap): com poucos votos ele é largo, e dois modelos cujos intervalos se sobrepõem "
     "ainda não se distinguem. Um traço no lugar dele: seus votos até aqui concordam todos "
     "(um único voto, por exemplo), então reamostrá-los não mostra o quanto a nota pode "
     "errar; vote em mais pares. Aqui contam só os seus votos; a classificação da aba "
     "Histórico conta também os votos de modelos juízes."),
    ("arena_contestant", "{model} (run {run})", "", "{model} (execução {run})", ""),
    ("msg_arena_pick",
     "Choose a run (or several) above, then press Next pair.", "",
     "Escolha uma execução (ou várias) acima e pressione Próximo par.", ""),
    ("msg_arena_none",
     "Nothing to compare in these runs: no two models answered the same prompt. Run a chain "
     "with two or more models (the Model list of the Chat tab, one per line), then come back "
     "and choose that run.", "",
     "Nada a comparar nestas execuções: nenhum par de modelos respondeu ao mesmo prompt. "
     "Execute uma cadeia com dois ou mais modelos (a Lista de modelos da aba Conversa, um por "
     "linha), depois volte e escolha essa execução.", ""),
    ("msg_arena_ready",
     "{left} of {total} pairs not yet voted: press Next pair.", "",
     "{left} de {total} pares ainda sem voto: pressione Próximo par.", ""),
    ("msg_arena_progress",
     "Pair {number} of {total} · {left} not yet voted, this one included", "",
     "Par {number} de {total} · {left} ainda sem voto, contando este", ""),
    ("msg_arena_done",
     "Every pair of these runs has your vote ({total} in all): your ratings are below. Choose "
     "other runs, or run the chain again for new answers.", "",
     "Todos os pares destas execuções têm o seu voto ({total} ao todo): suas notas estão "
     "abaixo. Escolha outras execuções, ou execute a cadeia de novo para ter novas respostas.",
     ""),
    ("msg_arena_reveal", "A was {a}, B was {b}.", "", "A era {a}, B era {b}.", ""),
    ("msg_arena_saved",
     "Your vote ({choice}) is saved: press Next pair for another.", "",
     "Seu voto ({choice}) foi salvo: pressione Próximo par para outro.", ""),
    ("msg_arena_no_pair",
     "There is no pair to vote on: press Next pair first.", "",
     "Não há par para votar: pressione Próximo par antes.", ""),
)
