#!/usr/bin/python3
"""SQL statements per example for real Django (connection.queries), as JSON.

usage: django_queries.py DOC ORACLE_DIR
Runs the document example by example through doctest, in one session, with
the oracle's models (SQLite in memory).
"""
import doctest, json, os, sys
sys.path.insert(0, sys.argv[2])
import django
from django.conf import settings
settings.configure(INSTALLED_APPS=['m2m'], DATABASES={'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': ':memory:'}}, DEBUG=True)
django.setup()
from django.db import connection, reset_queries
from m2m.models import Article, Publication
with connection.schema_editor() as editor:
    editor.create_model(Publication)
    editor.create_model(Article)
text = ''.join(l for l in open(sys.argv[1], encoding='utf-8') if not l.lstrip().startswith('```'))
test = doctest.DocTestParser().get_doctest(text, {'Publication': Publication, 'Article': Article}, 'm2m', sys.argv[1], 0)
runner = doctest.DocTestRunner(verbose=False)
counts = []
examples = list(test.examples)
# One DocTest object for the whole session: DocTest() copies its globals.
for example in examples:
    reset_queries()
    test.examples = [example]
    runner.run(test, out=lambda s: None, clear_globs=False)
    counts.append(len(connection.queries))
print(json.dumps(counts))
