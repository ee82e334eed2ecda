# Sourced by ./mvnw, ./quiver and .ci/run (POSIX sh): build and run Quiver with the newest JDK
# under /usr/lib/jvm (Temurin 25 where present). Set QUIVER_JAVA_HOME to choose another JDK, or
# QUIVER_JVM_ROOT to look for JDKs in another folder than /usr/lib/jvm.
quiver_java_major() {
  if [ -f "$1/release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release"
  else
    echo 0
  fi
}
if [ -n "${QUIVER_JAVA_HOME:-}" ]; then
  JAVA_HOME="$QUIVER_JAVA_HOME"
  export JAVA_HOME
elif [ -d "${QUIVER_JVM_ROOT:-/usr/lib/jvm}" ]; then
  quiver_best=""
  quiver_best_version=0
  for quiver_jdk in "${QUIVER_JVM_ROOT:-/usr/lib/jvm}"/*; do
    [ -x "$quiver_jdk/bin/javac" ] || continue
    quiver_v=$(quiver_java_major "$quiver_jdk")
    if [ "${quiver_v:-0}" -gt "$quiver_best_version" ]; then
      quiver_best="$quiver_jdk"
      quiver_best_version="$quiver_v"
    fi
  done
  if [ -n "$quiver_best" ]; then
    JAVA_HOME="$quiver_best"
    export JAVA_HOME
  fi
  unset quiver_best quiver_best_version quiver_jdk quiver_v
fi
