# Sourced by mvnw and .ci/run: the project needs Java 25, while a machine's default java may be older.
# Keeps a JAVA_HOME that is already 25 or newer; otherwise picks the newest JDK 25+ under /usr/lib/jvm.
emitkit_java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}
emitkit_current_java="${JAVA_HOME:+$JAVA_HOME/bin/java}"
emitkit_current_java="${emitkit_current_java:-$(command -v java || true)}"
if [ -z "$emitkit_current_java" ] || [ "$(emitkit_java_major "$emitkit_current_java")" -lt 25 ] 2>/dev/null; then
  for emitkit_jdk in $(find /usr/lib/jvm -mindepth 1 -maxdepth 1 -type d 2>/dev/null | sort -rV); do
    if [ -x "$emitkit_jdk/bin/javac" ] && [ "$(emitkit_java_major "$emitkit_jdk/bin/java")" -ge 25 ] 2>/dev/null; then
      JAVA_HOME="$emitkit_jdk"
      export JAVA_HOME
      break
    fi
  done
  [ -n "${JAVA_HOME-}" ] || echo "EmitKit needs a JDK 25 or newer: set JAVA_HOME to one." >&2
fi
unset emitkit_current_java emitkit_jdk
