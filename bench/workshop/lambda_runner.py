# python3 lambda_runner.py <app.py> <events.json>: the workshop's Lambda (exercise4/app.py, not part of this package)
# invoked as Lambda would, on each event in turn, warm, in one process: its beta-layer import replaced by a stand-in
# that does nothing (boto3 has Personalize built in), its Segment URL pointed at the bench's stub (it is hard-coded),
# its own print()s to /dev/null. Prints {"events", "seconds", "cpu_seconds"} for the timed run after a warm-up.
import importlib.util, io, json, os, sys, time, types
from contextlib import redirect_stdout

app_path, events_path = sys.argv[1], sys.argv[2]
sys.modules['init_personalize_api'] = types.SimpleNamespace(init=lambda: None)
spec = importlib.util.spec_from_file_location('app', app_path)
app = importlib.util.module_from_spec(spec)
spec.loader.exec_module(app)
app.connections_endpoint_url = os.environ['SEGMENT_STUB'] + '/v1'
events = json.load(open(events_path))
warm, timed = events[: len(events) // 10], events[len(events) // 10 :]

class Context:
    aws_request_id = 'bench'
    def get_remaining_time_in_millis(self):
        return 10000

with open(os.devnull, 'w') as quiet, redirect_stdout(quiet):
    for event in warm:
        app.lambda_handler(event, Context())
    start, cpu = time.perf_counter(), time.process_time()
    for event in timed:
        app.lambda_handler(event, Context())
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
print(json.dumps({'events': len(timed), 'seconds': seconds, 'cpu_seconds': cpu_seconds}))
