#!/usr/bin/env bash
# Proves the package as users install it: packs it, checks the tarball, then installs it into fresh
# consumer projects (CommonJS on Express 4, ESM on Express 5, TypeScript with nodenext and with
# bundler resolution) and compiles and runs a real flow in each (.ci/consumers/). Run it after
# `npm run build`. No project ever gets express-session or @types/express-session: the published
# types must compile without them.
# shellcheck disable=SC2317 # the project steps are called through started()
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
fixtures=$root/.ci/consumers
npm_install=(npm install --no-audit --no-fund --prefer-offline --loglevel=error)

if [ ! -f dist/lib/index.js ]; then
  echo 'consumers: dist/ is missing; run npm run build first' >&2
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/authcode-consumers.XXXXXX")
trap 'rm -rf "$work"' EXIT
start=$SECONDS
failed=0

# The build just ran: --ignore-scripts skips the prepack build.
npm pack --ignore-scripts --silent --pack-destination "$work" >/dev/null
tarball=$(echo "$work"/express-authcode-*.tgz)

# Only what a user needs, and no source map pointing at a source the tarball lacks.
mkdir "$work/unpacked"
tar xzf "$tarball" -C "$work/unpacked"
if node - "$work/unpacked/package" <<'EOF' >"$work/tarball.log" 2>&1; then
const { readdirSync, readFileSync, existsSync } = require('node:fs')
const { join, dirname, resolve, relative } = require('node:path')
const dir = process.argv[2]
const files = readdirSync(dir, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile())
  .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
const allowed = /^(package\.json|README\.md|LICENSE|dist\/(lib|types)\/.+\.(js|d\.ts|js\.map))$/
const faults = files.filter((file) => !allowed.test(file)).map((file) => `unexpected file: ${file}`)
for (const file of files.filter((name) => name.endsWith('.map'))) {
  const map = JSON.parse(readFileSync(join(dir, file), 'utf8'))
  map.sources.forEach((source, i) => {
    const inTarball = existsSync(resolve(dir, dirname(file), map.sourceRoot ?? '', source))
    if (!inTarball && typeof map.sourcesContent?.[i] !== 'string') faults.push(`${file}: points at ${source}, neither shipped nor inlined`)
  })
}
for (const needed of ['LICENSE', 'README.md', 'dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/types/express-session.d.ts']) {
  if (!files.includes(needed)) faults.push(`missing: ${needed}`)
}
if (faults.length) {
  console.error([...faults.slice(0, 10), ...(faults.length > 10 ? [`… and ${faults.length - 10} more`] : [])].join('\n'))
  process.exit(1)
}
console.log(`${files.length} files`)
EOF
  echo "tarball: ok ($(cat "$work/tarball.log"))"
else
  echo 'tarball: FAILED'
  sed 's/^/  /' "$work/tarball.log"
  failed=1
fi

# project NAME TYPE PACKAGES...: a fresh project with the tarball and PACKAGES installed.
project() {
  local name=$1 type=$2
  shift 2
  mkdir "$work/$name"
  printf '{ "name": "consumer-%s", "private": true, "type": "%s" }\n' "$name" "$type" >"$work/$name/package.json"
  (cd "$work/$name" && "${npm_install[@]}" "$tarball" "$@")
}

# tsconfig NAME MODULE RESOLUTION: strict, library checking on, compiling src/ to out/.
tsconfig() {
  cat >"$work/$1/tsconfig.json" <<EOF
{
  "compilerOptions": {
    "strict": true,
    "skipLibCheck": false,
    "module": "$2",
    "moduleResolution": "$3",
    "target": "es2022",
    "lib": ["es2022"],
    "types": ["node"],
    "rootDir": "src",
    "outDir": "out"
  },
  "include": ["src/main.ts"]
}
EOF
  # The opt-in session typing, compiled on its own: the project itself never sees it.
  cat >"$work/$1/tsconfig.session.json" <<EOF
{ "extends": "./tsconfig.json", "compilerOptions": { "noEmit": true }, "include": ["src/session-probe.ts", "src/express-session-stub.d.ts"] }
EOF
  mkdir "$work/$1/src"
  cp "$fixtures/main.ts" "$fixtures/session-probe.ts" "$fixtures/express-session-stub.d.ts" "$work/$1/src/"
}

# started NAME STEPS: runs the function STEPS in the background (errexit holds there, unlike in an `if`), logging to NAME.log.
declare -A jobs
started() {
  "$2" >"$work/$1.log" 2>&1 &
  jobs[$1]=$!
}

# report NAME LABEL: waits for NAME's job and prints one line, with the log when it failed.
report() {
  if wait "${jobs[$1]}"; then
    echo "$1: ok ($2, express $(node -p "require('$work/$1/node_modules/express/package.json').version"))"
  else
    echo "$1: FAILED ($2)"
    sed 's/^/  /' "$work/$1.log"
    failed=1
  fi
}

cjs() {
  project cjs commonjs 'express@^4.21'
  cp "$fixtures/flow.cjs" "$fixtures/main.cjs" "$work/cjs/"
  (cd "$work/cjs" && timeout 60 node main.cjs)
}

esm() {
  project esm module 'express@^5'
  cp "$fixtures/flow.cjs" "$fixtures/main.mjs" "$work/esm/"
  (cd "$work/esm" && timeout 60 node main.mjs)
}

ts_nodenext() {
  project ts-nodenext module 'express@^5' '@types/express@^5' '@types/node@^20' 'typescript@^7' 'redis@^5' 'ioredis@^6'
  tsconfig ts-nodenext nodenext nodenext
  cp "$fixtures/redis-probe.ts" "$work/ts-nodenext/src/"
  # skipLibCheck: ioredis' own declarations import the untyped redis-errors; the probe's own assignments are still checked.
  echo '{ "extends": "./tsconfig.json", "compilerOptions": { "noEmit": true, "skipLibCheck": true }, "include": ["src/redis-probe.ts"] }' >"$work/ts-nodenext/tsconfig.redis.json"
  (cd "$work/ts-nodenext" && ./node_modules/.bin/tsc -p tsconfig.json && ./node_modules/.bin/tsc -p tsconfig.session.json && ./node_modules/.bin/tsc -p tsconfig.redis.json && timeout 60 node out/main.js)
}

ts_bundler() {
  project ts-bundler module 'express@^4.21' '@types/express@^4' '@types/node@^20' 'typescript@~5.9'
  tsconfig ts-bundler preserve bundler
  (cd "$work/ts-bundler" && ./node_modules/.bin/tsc -p tsconfig.json && ./node_modules/.bin/tsc -p tsconfig.session.json && timeout 60 node out/main.js)
}

# Side by side: most of each is waiting on npm.
started cjs cjs
started esm esm
started ts-nodenext ts_nodenext
started ts-bundler ts_bundler
report cjs 'CommonJS require(), Express 4'
report esm 'ESM import, Express 5'
report ts-nodenext 'TypeScript strict, nodenext, tsc 7, Express 5, node-redis and ioredis connections typed'
report ts-bundler 'TypeScript strict, bundler, tsc 5.9, Express 4'

echo "consumers: $([ "$failed" = 0 ] && echo ok || echo FAILED) in $((SECONDS - start)) s"
exit "$failed"
