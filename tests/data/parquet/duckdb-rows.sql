SELECT i AS id, i::INTEGER AS i32, CASE WHEN i%97=0 THEN 'NaN'::DOUBLE ELSE i*1.5 END AS d, (i/3)::FLOAT AS f,
 'name-' || (i%17) AS s, CASE WHEN i%5=0 THEN NULL ELSE 'opt' || i END AS o, i%2=0 AS b,
 [i, i+1, NULL] AS l,
 {'a': i, 'b': 'x' || i, 'c': [{'k': 'q', 'v': i*2}]} AS st,
 CASE WHEN i%3=0 THEN [] ELSE [{'name': 'sp' || (i%50), 'attrs': [{'key': 'k', 'val': i}], 'dur': i*1000}] END AS spans,
 MAP {'k1': i, 'k2': NULL} AS m, encode('b' || i) AS blob, make_timestamp(i*1000003) AS ts,
 i::UBIGINT AS u, (i%256)::UTINYINT AS ut, (i%100)::SMALLINT AS sm, DATE '2020-01-01' + (i%1000)::INTEGER AS dt,
 CASE WHEN i%7=0 THEN NULL ELSE [[i], [], NULL] END AS ll
FROM range(5000) t(i)
