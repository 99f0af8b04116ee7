# python3 run.py <segment-event-generator.py> <YYYY-MM-DD>: runs the workshop's generator, seeded, with the
# stand-in client beside this file (WORKSHOP_OUT names the JSON-lines file), in the current folder (it writes its
# state files there).
import os, random, sys

script, from_date = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
random.seed(42)
sys.argv = [script, from_date]
with open(script) as source:
    exec(compile(source.read(), script, 'exec'), {'__name__': '__main__'})
