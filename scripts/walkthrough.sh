#!/bin/sh
# A walk through onewindow's API as the demo's people use it, with curl and a POSIX shell
# (no jq needed). Start the demo first (make run), then:
#
#     scripts/walkthrough.sh                      # against http://127.0.0.1:8080
#     ONEWINDOW_URL=http://host:port scripts/walkthrough.sh
#
# It signs in as each role and takes one online parallel-approval case (企业投资项目核准:
# 发改局 leads, 住建局 and 自然资源局 countersign) from the application through one notify-once
# round, acceptance under window 1's delegation, three countersigns, the joint decision and
# delivery, to the public progress page. docs/cases-and-tasks.md shows the same requests.
set -eu

URL=${ONEWINDOW_URL:-http://127.0.0.1:8080}
API=$URL/api/v1
PASSWORD=${ONEWINDOW_DEMO_PASSWORD:-onewindow-demo}
ITEM_CODE=450981-FGJ-XK-001
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

say() { printf '\n== %s\n' "$*"; }
fail() { printf 'walkthrough: %s\n' "$*" >&2; exit 1; }

# field NAME: the first string value of "NAME" in the JSON on standard input.
field() { grep -o "\"$1\":\"[^\"]*\"" | head -n 1 | sed 's/^.*":"//; s/"$//'; }

# call METHOD PATH TOKEN [JSON]: sends a request and prints the answer's body; an answer of
# 400 or above stops the walk with the server's error.
call() {
	method=$1 path=$2 token=$3
	if [ $# -ge 4 ]; then
		code=$(curl -sS -o "$TMP/body" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $token" \
			-H 'Content-Type: application/json' --data "$4" "$API$path")
	else
		code=$(curl -sS -o "$TMP/body" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $token" "$API$path")
	fi
	if [ "$code" -ge 400 ]; then
		fail "$method $path answered $code: $(cat "$TMP/body")"
	fi
	cat "$TMP/body"
}

# login USER: prints an access token of the demo user.
login() {
	curl -sS -f -X POST -H 'Content-Type: application/json' \
		--data "{\"username\":\"$1\",\"password\":\"$PASSWORD\"}" "$API/auth/login" | field token
}

# upload TOKEN NAME: uploads a small PDF called NAME and prints its file id.
upload() {
	printf '%%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%%%EOF\n' >"$TMP/$2"
	curl -sS -f -H "Authorization: Bearer $1" -F "file=@$TMP/$2;type=application/pdf" "$API/files" | field id
}

# task USER CASE STEPKIND: waits (up to 30 s) until USER's inbox holds a task of STEPKIND of
# CASE and prints its id.
task() {
	tries=0
	while [ $tries -lt 150 ]; do
		id=$(call GET "/tasks?stepKind=$3&limit=200" "$(eval echo \$TOKEN_$(echo "$1" | tr -- '-' '_'))" |
			grep -o "\"id\":\"[^\"]*\",\"caseId\":\"$2\"" | head -n 1 | sed 's/^"id":"//; s/",.*$//')
		if [ -n "$id" ]; then
			echo "$id"
			return 0
		fi
		tries=$((tries + 1))
		sleep 0.2
	done
	fail "no $3 task of case $2 reached $1's inbox in 30 s"
}

say "0. the server"
curl -sS -f "$URL/healthz" >/dev/null || fail "no onewindow at $URL: start it with make run"
echo "onewindow answers at $URL"

say "1. everybody signs in (password $PASSWORD)"
for u in applicant1 clerk1 reviewer-fgj reviewer-zjj reviewer-zrzyj supervisor; do
	tok=$(login "$u")
	[ -n "$tok" ] || fail "$u could not sign in"
	eval "TOKEN_$(echo "$u" | tr -- '-' '_')=\$tok"
	echo "$u signed in"
done

say "2. the applicant finds the item in the public catalogue"
ITEM=$(curl -sS -f "$API/public/items?q=$ITEM_CODE" | field itemId)
[ -n "$ITEM" ] || fail "item $ITEM_CODE is not in the public catalogue"
echo "item $ITEM_CODE is $ITEM"

say "3. applicant1 uploads three of the four required materials and applies online"
M01=$(upload "$TOKEN_applicant1" M01-申请书.pdf)
M02=$(upload "$TOKEN_applicant1" M02-项目申请报告.pdf)
M03=$(upload "$TOKEN_applicant1" M03-用地预审意见.pdf)
SUBMITTED=$(call POST /cases "$TOKEN_applicant1" "{\"itemId\":\"$ITEM\",\"channel\":\"online\",\
\"form\":{\"projectName\":\"北流市某某农产品加工项目\"},\"materials\":[\
{\"code\":\"M01\",\"fileIds\":[\"$M01\"]},{\"code\":\"M02\",\"fileIds\":[\"$M02\"]},{\"code\":\"M03\",\"fileIds\":[\"$M03\"]}]}")
CASE=$(echo "$SUBMITTED" | field id)
NUMBER=$(echo "$SUBMITTED" | field number)
CODE=$(echo "$SUBMITTED" | field queryCode)
echo "case $NUMBER (id $CASE, query code $CODE); missing: $(echo "$SUBMITTED" | grep -o '"missingMaterials":\[[^]]*\]' | grep -o '"code":"[^"]*"' | tr '\n' ' ')"

say "4. clerk1 (window 1, under 发改局's delegation) notifies once: the business licence is missing"
ACC=$(task clerk1 "$CASE" acceptance)
call POST "/tasks/$ACC/complete" "$TOKEN_clerk1" '{"outcome":"notify","comment":"缺营业执照","notice":{"materials":[
{"materialCode":"YYZZ","problem":"missing","detail":"请提供加盖公章的营业执照复印件"}],"note":"请一次性补齐"}}' >/dev/null
echo "notice issued on task $ACC"

say "5. applicant1 reads the notice and supplements"
tries=0
until call GET "/cases/$CASE" "$TOKEN_applicant1" | grep -q '"stage":"awaitingSupplement"'; do
	tries=$((tries + 1)); [ $tries -lt 150 ] || fail "the case did not wait for the supplement"; sleep 0.2
done
call GET "/cases/$CASE/notice" "$TOKEN_applicant1" | grep -o '以上为需补正的全部内容' >/dev/null || fail "the notice letter is incomplete"
YYZZ=$(upload "$TOKEN_applicant1" 营业执照.pdf)
call POST "/cases/$CASE/supplement" "$TOKEN_applicant1" "{\"note\":\"已补齐\",\"materials\":[{\"code\":\"YYZZ\",\"fileIds\":[\"$YYZZ\"]}]}" >/dev/null
echo "supplement handed in"

say "6. clerk1 accepts"
ACC2=$(task clerk1 "$CASE" acceptance)
call POST "/tasks/$ACC2/complete" "$TOKEN_clerk1" '{"outcome":"accept","comment":"材料齐全，符合法定形式"}' >/dev/null
echo "accepted (task $ACC2)"

say "7. three departments countersign, each in its own inbox"
for r in reviewer-fgj reviewer-zjj reviewer-zrzyj; do
	T=$(task "$r" "$CASE" review)
	call POST "/tasks/$T/complete" "$(eval echo \$TOKEN_$(echo "$r" | tr -- '-' '_'))" '{"outcome":"agree","comment":"同意"}' >/dev/null
	echo "$r agreed (task $T)"
done

say "8. 发改局 decides for all three"
JD=$(task reviewer-fgj "$CASE" approval)
call POST "/tasks/$JD/complete" "$TOKEN_reviewer_fgj" '{"outcome":"approve"}' >/dev/null
echo "granted (task $JD)"

say "9. clerk1 delivers the result"
DEL=$(task clerk1 "$CASE" delivery)
call POST "/tasks/$DEL/complete" "$TOKEN_clerk1" '{}' >/dev/null
echo "delivered (task $DEL)"

say "10. anyone looks the progress up by number and query code"
tries=0
until curl -sS -f "$API/public/progress?number=$NUMBER&code=$CODE" >"$TMP/progress" && grep -q '"stage":"finished"' "$TMP/progress"; do
	tries=$((tries + 1)); [ $tries -lt 150 ] || fail "the case did not finish: $(cat "$TMP/progress")"; sleep 0.2
done
echo "$NUMBER: $(field zh <"$TMP/progress") ($(grep -o '"decisionText":{"zh":"[^"]*"' "$TMP/progress" | sed 's/.*:"//; s/"$//'))"

say "11. the supervisor sees the finished case"
call GET "/cases/$CASE" "$TOKEN_supervisor" | grep -q '"stage":"finished"' || fail "the supervisor does not see the case"
echo "walkthrough done: case $NUMBER 已办结"
