"""(Being written in this session: refuses the call until its flow lands.)"""


async def run(call) -> None:
    call.end(503)
