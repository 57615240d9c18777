import io
import json

from bot.search.batch import run_jsonl


def test_jsonl_one_object_per_line_in_order(engine):
    lines = ["đăng ký kết hôn", "", "xin chào", "1.001193", "\x00\ud800?"]
    out = io.StringIO()
    n = run_jsonl(engine, io.StringIO("\n".join(lines) + "\n"), out)
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    assert n == len(rows) == len(lines)
    assert [r["query"] for r in rows] == lines
    assert rows[0]["answer"] == "1.000894"
    assert rows[1] == {"query": "", "answer": None, "results": []}
    assert rows[2]["answer"] is None
    assert rows[3]["answer"] == "1.001193"
    for r in rows:
        assert set(r) == {"query", "answer", "results"}
        assert len(r["results"]) <= 5
        for hit in r["results"]:
            assert set(hit) == {"code", "name", "score"} and 0.0 <= hit["score"] <= 1.0
