"""Results of API calls: plain tables that render to pandas, Arrow, records, CSV or JSON."""

from __future__ import annotations

from dataclasses import dataclass, field

import ibis
import pandas as pd
import pyarrow as pa


@dataclass
class Result:
    """A table the API returns. Lazy when built from an Ibis expression; `.sql()` shows the query."""

    expr: ibis.Table | None = None
    table: pa.Table | None = None
    meta: dict = field(default_factory=dict)

    def to_pyarrow(self) -> pa.Table:
        if self.table is None:
            self.table = self.expr.to_pyarrow()
        return self.table

    def to_pandas(self) -> pd.DataFrame:
        return self.to_pyarrow().to_pandas()

    def to_records(self) -> list[dict]:
        return self.to_pyarrow().to_pylist()

    def sql(self) -> str:
        if self.expr is None:
            raise ValueError("this result was computed eagerly; it has no query")
        return str(ibis.to_sql(self.expr))

    @property
    def columns(self) -> list[str]:
        return list(self.to_pyarrow().column_names)

    def __len__(self) -> int:
        return self.to_pyarrow().num_rows
