# The PBX stand-in: sipp answering REGISTER, OPTIONS and calls with
# sip-fixtures/scenarios/uas-upstream.xml. Build from the repository root.
FROM debian:bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends sip-tester \
  && rm -rf /var/lib/apt/lists/*
COPY sip-fixtures/scenarios/uas-upstream.xml /scenarios/uas-upstream.xml
# Foreground (a container needs its process); -f 3600 keeps the statistics screen out of the log.
ENTRYPOINT ["sipp", "-sf", "/scenarios/uas-upstream.xml", "-p", "5060", "-nostdin", "-f", "3600"]
