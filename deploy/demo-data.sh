#!/usr/bin/env bash
# Loads the programme's partners (with their sites and agreements), a handful of demo tips, and a
# second ward (dong-quang) with two tips of its own
# through the gateway, modelled on the Quảng Thắng ward
# "ward – school – hospital linkage" (DESIGN.md §1): hotline calls, the Zalo chat group of
# motorbike-taxi drivers, walk-ins at the ward police, partner desks, the 21:00–24:00 joint
# patrols at the hospitals. Only the public API is used, as a partner system would, with a token
# of the development police client (WARDLINK_CLIENT_ID / WARDLINK_CLIENT_SECRET to use another).
# The partners get the ids the development partner clients are bound to
# (gateway/WardLink.Gateway/appsettings.Development.json).
#
#   deploy/demo-data.sh http://127.0.0.1:5080
#
# Each tip is sent with an Idempotency-Key, so a service that honours it (DESIGN.md §7) does
# not duplicate tips when the script runs twice. run.sh calls it only while the tips database
# is empty; the partners part also checks for itself and loads nothing when GET /api/partners
# already lists a partner. Exit status: 0 when everything was created (201), 1 otherwise.
set -euo pipefail

usage() { echo "usage: $0 GATEWAY_URL   (e.g. $0 http://127.0.0.1:5080)" >&2; }

[[ $# -eq 1 ]] || { usage; exit 2; }
case "$1" in -h|--help) usage; exit 0 ;; http://*|https://*) ;; *) usage; exit 2 ;; esac
command -v curl >/dev/null 2>&1 || { echo "demo-data: curl is required" >&2; exit 1; }

gateway="${1%/}"
client_id="${WARDLINK_CLIENT_ID:-police-desk}"
client_secret="${WARDLINK_CLIENT_SECRET:-police-desk-dev-secret}"
# token_for CLIENT_ID SECRET: prints the client's access token, or nothing (and why, on stderr).
token_for() {
  local response token
  response="$(curl -sS -m 20 -X POST "$gateway/connect/token" \
    -d grant_type=client_credentials -d "client_id=$1" --data-urlencode "client_secret=$2" 2>&1)" || true
  token="$(sed -n 's/.*"access_token": *"\([^"]*\)".*/\1/p' <<<"$response")"
  [[ -n "$token" ]] || echo "demo-data: no token for $1 from $gateway/connect/token: $response" >&2
  printf '%s' "$token"
}
token="$(token_for "$client_id" "$client_secret")"
[[ -n "$token" ]] || exit 1
auth="Authorization: Bearer $token"
created=0
failed=0

# JSON string escaping for the few characters the texts below could contain.
json() {
  local s="$1"
  s="${s//\\/\\\\}"
  s="${s//\"/\\\"}"
  printf '"%s"' "$s"
}

# tip KEY CHANNEL CATEGORY RECEIVED_AT PLACE DESCRIPTION [SITE_ID]: at the site when one is given
tip() {
  local key="$1" channel="$2" category="$3" received_at="$4" place="$5" description="$6" site="${7:-}"
  local body response status
  body="$(printf '{"channel":%s,"category":%s,"description":%s,"place":{%s"description":%s},"receivedAt":%s}' \
    "$(json "$channel")" "$(json "$category")" "$(json "$description")" "${site:+\"siteId\":$(json "$site"),}" "$(json "$place")" "$(json "$received_at")")"
  response="$(mktemp)"
  status="$(curl -sS -m 20 -o "$response" -w '%{http_code}' \
    -X POST "$gateway/api/tips" \
    -H 'Content-Type: application/json' -H "$auth" \
    -H "Idempotency-Key: wardlink-demo-$key" \
    --data-binary "$body" 2>&1)" || status="curl failed: $status"
  if [[ "$status" == "201" ]]; then
    created=$((created + 1))
    printf '  201 %-8s %-16s %s\n' "$channel" "$category" "$place"
  else
    failed=$((failed + 1))
    printf '  %s for tip %s: %s\n' "$status" "$key" "$(head -c 600 "$response")" >&2
  fi
  rm -f "$response"
}

# post PATH BODY: POSTs JSON through the gateway; sets last_id to the created record's id (201),
# or to nothing and counts a failure. (Not run in a $(…) subshell, so the counters stick.)
post() {
  local path="$1" body="$2" response status
  response="$(mktemp)"
  status="$(curl -sS -m 20 -o "$response" -w '%{http_code}' -X POST "$gateway/api/$path" \
    -H 'Content-Type: application/json' -H "$auth" --data-binary "$body" 2>&1)" || status="curl failed: $status"
  if [[ "$status" == "201" ]]; then
    created=$((created + 1))
    last_id="$(sed -n 's/^{"id":"\([0-9a-f-]*\)".*/\1/p' "$response")"
  else
    failed=$((failed + 1))
    last_id=""
    printf '  %s for POST %s: %s\n' "$status" "$path" "$(head -c 600 "$response")" >&2
  fi
  rm -f "$response"
}

partner_ids=()
last_id=""

# partner ID NAME KIND SITE_NAME SITE_KIND LATITUDE LONGITUDE DUTIES(json array)
partner() {
  local partner_id="$1" name="$2" kind="$3" site="$4" site_kind="$5" latitude="$6" longitude="$7" duties="$8" id status
  post partners "$(printf '{"partnerId":%s,"name":%s,"kind":%s}' "$(json "$partner_id")" "$(json "$name")" "$(json "$kind")")"
  id="$last_id"
  [[ -n "$id" ]] || return 0
  partner_ids+=("$id")
  post "partners/$id/sites" "$(printf '{"name":%s,"kind":%s,"latitude":%s,"longitude":%s}' \
    "$(json "$site")" "$(json "$site_kind")" "$latitude" "$longitude")"
  status="$(curl -sS -m 20 -o /dev/null -w '%{http_code}' -X POST "$gateway/api/partners/$id/agreement" -H 'Content-Type: application/json' -H "$auth" \
    --data-binary "$(printf '{"joinedOn":"2023-04-12T08:00:00+07:00","duties":%s}' "$duties")" 2>&1)" || status="curl failed: $status"
  [[ "$status" == "200" ]] || { failed=$((failed + 1)); printf '  %s for the agreement of %s\n' "$status" "$name" >&2; }
  printf '  201 %-15s %s\n' "$kind" "$name"
}

listed="$(curl -sS -m 20 -H "$auth" "$gateway/api/partners?limit=1" 2>/dev/null || true)"
if [[ "$listed" == *'"total":0'* ]]; then
  echo "Loading the linkage's partners through $gateway/api/partners ..."
  partner 0195d000-0000-7000-8000-000000000001 "Quảng Thắng Ward People's Committee" wardCommittee "Ward People's Committee office" office 19.8046 105.7826 '["informationExchange","idCardDrives"]'
  partner 0195d000-0000-7000-8000-000000000002 "Quảng Thắng Ward Police" police "Ward police station" office 19.8052 105.7810 '["jointPatrols","informationExchange","temporaryResidenceTracking","legalOutreach","idCardDrives"]'
  partner 0195d000-0000-7000-8000-000000000003 "Thanh Hóa Provincial Political School" school "Political School main gate" gate 19.8010 105.7790 '["informationExchange","cameraSites"]'
  partner 0195d000-0000-7000-8000-000000000004 "Thanh Hóa City Vocational and Continuing Education Centre" school "Education Centre gate" gate 19.8075 105.7740 '["informationExchange","cameraSites"]'
  partner 0195d000-0000-7000-8000-000000000005 "Thanh Hóa Obstetrics Hospital" hospital "Obstetrics hospital gate and car park" hospitalArea 19.8069 105.7765 '["jointPatrols","informationExchange","cameraSites"]'
  partner 0195d000-0000-7000-8000-000000000006 "Thanh Hóa Eye Hospital" hospital "Eye hospital car park" hospitalArea 19.8031 105.7752 '["jointPatrols","informationExchange","cameraSites"]'
  partner 0195d000-0000-7000-8000-000000000007 "Thanh Hóa Endocrinology Hospital" hospital "Endocrinology hospital inpatient block" hospitalArea 19.7990 105.7725 '["jointPatrols","informationExchange","cameraSites"]'
  partner 0195d000-0000-7000-8000-000000000008 "Thanh Hóa Dermatology Hospital" hospital "Dermatology hospital waiting area" hospitalArea 19.8085 105.7698 '["jointPatrols","informationExchange","cameraSites"]'
  partner 0195d000-0000-7000-8000-000000000009 "Thanh Hóa Psychiatric Hospital" hospital "Psychiatric hospital east fence" hospitalArea 19.7965 105.7770 '["jointPatrols","informationExchange","cameraSites"]'
  partner 0195d000-0000-7000-8000-000000000010 "Thanh Hóa Provincial Centre for Disease Control" healthCentre "CDC vaccination hall" campus 19.8100 105.7760 '["jointPatrols","informationExchange"]'
  partner 0195d000-0000-7000-8000-000000000011 "Quảng Thắng taxi and motorbike-taxi drivers' group" transportGroup "Taxi stand at the Obstetrics hospital" wardArea 19.8066 105.7770 '["informationExchange"]'
  partner 0195d000-0000-7000-8000-000000000012 "Veterans' school-gate team" veteransTeam "Political School gate crossing" wardArea 19.8012 105.7793 '["schoolGateGuard"]'
  members="$(printf '"%s",' "${partner_ids[@]}")"
  post partners/channels '{"kind":"hotline","name":"Quảng Thắng ward police hotline","number":"0237 3852 113"}'
  post partners/channels "{\"kind\":\"chatGroup\",\"name\":\"Ward – school – hospital linkage\",\"platform\":\"Zalo\",\"memberPartnerIds\":[${members%,}]}"
else
  echo "The partners service already lists partners (or did not answer); no demo partners loaded."
fi

echo "Loading demo tips through $gateway/api/tips ..."

# The first tip happened at the Obstetrics hospital's site, so the hospital's desk (partner-obstetrics) reads it among the
# tips at its sites: its id as the tips service's site directory knows it (a moment after the partners service registered it).
obstetrics_site=""
for _ in $(seq 1 50); do
  obstetrics_site="$(curl -sS -m 5 -H "$auth" "$gateway/api/tips/sites?partnerId=0195d000-0000-7000-8000-000000000005&limit=1" 2>/dev/null \
    | sed -n 's/^{"items":\[{"id":"\([0-9a-f-]*\)".*/\1/p')"
  [[ -n "$obstetrics_site" ]] && break
  sleep 0.2
done
[[ -n "$obstetrics_site" ]] || { failed=$((failed + 1)); echo "  the tips service does not know the Obstetrics hospital's site" >&2; }

tip tip-2024-01-at-site hotline theft "2024-01-18T20:40:00+07:00" \
  "Obstetrics hospital gate" \
  "Hotline call from a patient's husband: his motorbike was taken from the parking lot at the Obstetrics hospital gate between 19:30 and 20:30; the guard saw a man in a grey raincoat push it out." \
  "$obstetrics_site"

tip tip-2024-02 chat suspiciousPerson "2024-02-06T22:10:00+07:00" \
  "Eye hospital, car park behind the outpatient block" \
  "Motorbike-taxi driver in the ward's Zalo group: two young men have been walking between parked bikes behind the Eye hospital for half an hour, trying the steering locks."

tip tip-2024-03 walkIn fraud "2024-03-14T09:05:00+07:00" \
  "Boarding house near the Vocational and Continuing Education Centre" \
  "Boarding-house owner at the ward police office: a temporary resident collected room deposits from five students for rooms he does not own and has not been seen since Monday."

tip tip-2024-04 partner drugs "2024-04-22T16:30:00+07:00" \
  "Provincial Political School, dormitory B back yard" \
  "School security desk: used syringes and small plastic bags found behind dormitory B during the afternoon round; the area is not covered by a camera."

tip tip-2024-05 patrol publicOrder "2024-05-09T23:15:00+07:00" \
  "Psychiatric hospital, east fence" \
  "Joint patrol (21:00-24:00): a group of six drinking and shouting at the east fence of the Psychiatric hospital; they left when the patrol approached, one was seen passing bottles over the fence."

tip tip-2024-06 web traffic "2024-09-05T07:20:00+07:00" \
  "Political School gate, school run" \
  "Parent via the web form: motorbikes speed through the school gate crossing at 06:45-07:10 while the veterans' team is directing pupils; a near miss this morning."

tip tip-2024-07 hotline theft "2024-10-17T15:50:00+07:00" \
  "Endocrinology hospital, inpatient ward 3" \
  "Hotline call from a nurse: a patient's phone and wallet disappeared from the bedside locker during visiting hours; a visitor nobody knew left the ward shortly after."

tip tip-2024-08 chat violence "2024-11-28T21:35:00+07:00" \
  "Dermatology hospital, waiting area" \
  "Hospital security in the linkage chat group: two patients' relatives are fighting in the waiting area and one has a helmet in his hand; security asks the patrol to come."

# A second ward of the province: Đông Quang (the ward Quảng Thắng was merged into in 2025), with
# tips its own police recorded. Establishing it again answers 409, which is fine on a second run.
echo "A second ward, dong-quang, and its demo tips ..."
ward_status="$(curl -sS -m 20 -o /dev/null -w '%{http_code}' -X POST "$gateway/api/partners/wards" -H 'Content-Type: application/json' -H "$auth" \
  --data-binary '{"wardId":"dong-quang","code":"DQ","name":"Đông Quang","province":"thanh-hoa","establishedOn":"2025-07-01"}' 2>&1)" || true
case "$ward_status" in
  201|409) ;;
  *) failed=$((failed + 1)); echo "  $ward_status for the ward dong-quang" >&2 ;;
esac
dq_token="$(token_for dong-quang-police dong-quang-police-dev-secret)"
if [[ -n "$dq_token" ]]; then
  # The other services learn of the new ward from partners' events: wait until tips knows it.
  for _ in $(seq 1 50); do
    [[ "$(curl -sS -m 5 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $dq_token" "$gateway/api/tips?limit=1" 2>/dev/null)" == "200" ]] && break
    sleep 0.2
  done
  auth="Authorization: Bearer $dq_token"
  tip dq-2025-01 hotline theft "2025-08-14T19:50:00+07:00" \
    "Đông Quang market, parking row C" \
    "Hotline call from a stall keeper: two motorbikes taken from parking row C while the market was closing."
  tip dq-2025-02 chat publicOrder "2025-09-02T22:30:00+07:00" \
    "Đông Quang ward, riverside park" \
    "Resident in the ward's chat group: a crowd racing motorbikes along the riverside road every night this week."
else
  failed=$((failed + 1))
fi

echo "Demo data: $created created, $failed failed."
[[ $failed -eq 0 ]]
