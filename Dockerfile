# dmaemu node image: docker build -t dmaemu:0.1.0 .
# The container runs `dmaemu node`; configure it with DMAEMU_* environment variables (docs/deploy.md).

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY protocol protocol
COPY actors actors
COPY device-nodes device-nodes
COPY benchmarks/pom.xml benchmarks/pom.xml
RUN mvn -B -q -Dmaven.test.skip=true -pl device-nodes -am package

FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 dmaemu \
 && useradd --system --uid 10001 --gid dmaemu --home-dir /app --shell /usr/sbin/nologin dmaemu
WORKDIR /app
COPY --from=build /src/device-nodes/target/dmaemu.jar /app/dmaemu.jar
USER 10001:10001
# A container has its own network namespace: listen on all of its interfaces; DMAEMU_HOST (the name
# or IP other nodes use) must still be set.
ENV DMAEMU_BIND_HOST=0.0.0.0
# 25520: remoting (Artery TCP); 8558: akka-management (/ready, /alive, bootstrap)
EXPOSE 25520 8558
ENTRYPOINT ["java", "-jar", "/app/dmaemu.jar", "node"]
