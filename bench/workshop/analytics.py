# A stand-in for analytics-python 1.2.9 (what the workshop's generator imported as `analytics`) for the generator
# benchmark: it builds each message as that client did (string ids, isoformat timestamp, a uuid4 messageId,
# context.library) and writes it as one JSON line instead of sending it. No network, no queue, no threads.
import atexit, json, os, sys, uuid
from datetime import datetime, timezone

_out = open(os.environ['WORKSHOP_OUT'], 'w')
_count = [0]


@atexit.register
def _report():
    _out.close()
    sys.stderr.write('EVENTS %d\n' % _count[0])


class Client(object):
    def __init__(self, write_key=None, *args, **kwargs):
        self.write_key = write_key

    def _enqueue(self, msg):
        timestamp = msg['timestamp'] or datetime.now(timezone.utc)
        if timestamp.tzinfo is None:  # analytics-python took naive datetimes as UTC
            timestamp = timestamp.replace(tzinfo=timezone.utc)
        msg['timestamp'] = timestamp.isoformat()
        msg['messageId'] = str(msg.get('messageId') or uuid.uuid4())
        msg['context']['library'] = {'name': 'analytics-python', 'version': '1.2.9'}
        for key in ('userId', 'anonymousId'):
            msg[key] = None if msg.get(key) is None else str(msg[key])
        _out.write(json.dumps(msg) + '\n')
        _count[0] += 1

    def track(self, user_id=None, event=None, properties=None, context=None, timestamp=None,
              anonymous_id=None, integrations=None, message_id=None, *args, **kwargs):
        self._enqueue({'type': 'track', 'userId': user_id, 'anonymousId': anonymous_id, 'event': event,
                       'properties': properties or {}, 'context': context or {}, 'timestamp': timestamp,
                       'integrations': integrations or {}, 'messageId': message_id})

    def identify(self, user_id=None, traits=None, context=None, timestamp=None, anonymous_id=None,
                 integrations=None, message_id=None, *args, **kwargs):
        self._enqueue({'type': 'identify', 'userId': user_id, 'anonymousId': anonymous_id,
                       'traits': traits or {}, 'context': context or {}, 'timestamp': timestamp,
                       'integrations': integrations or {}, 'messageId': message_id})

    def page(self, user_id=None, category=None, name=None, properties=None, context=None, timestamp=None,
             anonymous_id=None, integrations=None, message_id=None, *args, **kwargs):
        self._enqueue({'type': 'page', 'userId': user_id, 'anonymousId': anonymous_id, 'name': name,
                       'category': category, 'properties': properties or {}, 'context': context or {},
                       'timestamp': timestamp, 'integrations': integrations or {}, 'messageId': message_id})

    def flush(self, *args, **kwargs):
        _out.flush()
