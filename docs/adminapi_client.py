#!/usr/bin/env python3
"""An integration of the admin JSON API (docs/adminapi.md) with plain `requests`: it sets up a team and reads the
call records.

1. creates a group (POST /api/v1/groups);
2. creates --users users with an alias each, in the group, in ONE bulk POST /api/v1/users (all or nothing);
3. creates a shared phonebook for the group (POST /api/v1/phonebooks) and fills it from a CSV file that it writes in
   the sipXconfig phonebook layout (multipart POST /api/v1/phonebooks/{name}/import);
4. creates a phone per user with the user on its first line, in one bulk POST /api/v1/phones;
5. pages through the call records (GET /api/v1/cdrs), following `next` until it is null.

    python3 docs/adminapi_client.py --url https://pbx.example.org --token sxw_... [--users 50] [--first 3000]

The token is an administrator's write token (POST /api/v1/tokens with the admin's PIN, or the token page). A 429
(throttled) is retried after the Retry-After seconds; any other error stops the script with the API's sentence and
the refused fields. `--json` prints a summary for programs."""

import argparse
import csv
import json
import sys
import tempfile
import time
from pathlib import Path

import requests

MODEL = "polycom335"  # a phone model of the catalogue (GET /api/schema/ lists the keys; the phone page the models)
FIRST_NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Ken", "Dennis", "Frances"]
LAST_NAMES = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Thompson", "Ritchie", "Allen"]
# The sipXconfig phonebook CSV layout (the header row names the columns; these three are enough).
CSV_HEADER = ["First Name", "Last Name", "Number", "Company Name"]


class ApiError(Exception):
    def __init__(self, response: requests.Response):
        try:
            body = response.json()
        except ValueError:
            body = {"error": response.text[:300]}
        self.status = response.status_code
        self.fields = body.get("fields") or {}
        details = "; ".join(f"{path}: {' '.join(messages)}" for path, messages in self.fields.items())
        super().__init__(
            f"{response.request.method} {response.url} -> {response.status_code}: {body.get('error')}"
            + (f" [{details}]" if details else "")
        )


class Api:
    """The admin JSON API at `url` with a Bearer token: JSON in and out, 429 retried after Retry-After."""

    def __init__(self, url: str, token: str, timeout: float = 60, retries: int = 5):
        self.base = url.rstrip("/") + "/api/v1"
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json"})
        self.timeout, self.retries = timeout, retries

    def call(self, method: str, path_or_url: str, ok=(200, 201, 204), **kwargs) -> requests.Response:
        url = path_or_url if path_or_url.startswith("http") else self.base + path_or_url
        for _attempt in range(self.retries + 1):
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
            if response.status_code != 429:
                break
            time.sleep(int(response.headers.get("Retry-After", "1")))
        if response.status_code not in ok:
            raise ApiError(response)
        return response

    def get(self, path, **kwargs):
        return self.call("GET", path, **kwargs).json()

    def post(self, path, body, **kwargs):
        return self.call("POST", path, json=body, **kwargs)


def team(first: int, count: int, group: str) -> list[dict]:
    """The users to create: user names first, first+1, ...; an alias first.last (made unique by the number)."""
    users = []
    for i in range(count):
        number = first + i
        given, family = FIRST_NAMES[i % len(FIRST_NAMES)], LAST_NAMES[(i // len(FIRST_NAMES)) % len(LAST_NAMES)]
        users.append(
            {
                "userName": str(number),
                "firstName": given,
                "lastName": family,
                "aliases": [f"{given}.{family}.{number}".lower()],
                "groups": [group],
            }
        )
    return users


def write_csv(path: Path, users: list[dict]) -> int:
    """A phonebook file in the sipXconfig CSV layout: one entry per user, plus the reception's outside number."""
    rows = [[u["firstName"], u["lastName"], u["userName"], "Example Corp"] for u in users]
    rows.append(["Front", "Desk", "+15550100", "Example Corp"])
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_HEADER)
        writer.writerows(rows)
    return len(rows)


def run(api: Api, args, say) -> dict:
    summary: dict = {}

    api.post("/groups", {"name": args.group, "description": "Created by docs/adminapi_client.py"})
    say(f"group {args.group}: created")

    users = team(args.first, args.users, args.group)
    created = api.post("/users", users).json()  # one request, all or nothing
    summary["users"] = [u["userName"] for u in created]
    say(f"users: {len(created)} created in one request ({created[0]['userName']}..{created[-1]['userName']})")

    book = args.phonebook or f"{args.group} directory"
    # members: the group's users are in the phonebook; consumers: the group's phones and portal show it
    api.post(
        "/phonebooks", {"name": book, "description": "The team", "members": [args.group], "consumers": [args.group]}
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "team.csv"
        rows = write_csv(path, created)
        with path.open("rb") as upload:
            result = api.call(
                "POST", f"/phonebooks/{requests.utils.quote(book, safe='')}/import", files={"file": upload}
            ).json()
    summary["phonebook"] = {"name": book, "rows": rows, "imported": result["imported"], "layout": result["layout"]}
    say(f"phonebook {book}: {result['imported']} entries imported from a {result['layout']} file")

    phones = [
        {
            "serialNumber": f"0004f2{args.first + i:06x}",
            "model": MODEL,
            "description": f"{u['firstName']} {u['lastName']}",
            "lines": [u["userName"]],
        }
        for i, u in enumerate(created)
    ]
    stored = api.post("/phones", phones).json()
    summary["phones"] = {p["serialNumber"]: p["lines"] for p in stored}
    say(f"phones: {len(stored)} created, each with its user on line 1")

    calls, pages, url = 0, 0, f"/cdrs?limit={args.page_size}"
    while url:
        page = api.get(url)
        pages += 1
        calls += len(page["results"])
        url = page["next"]  # an absolute URL, or null on the last page
    summary["cdrs"] = {"records": calls, "pages": pages}
    say(f"call records: {calls} in {pages} page(s)")
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="the server, such as https://pbx.example.org")
    parser.add_argument("--token", required=True, help="an administrator's write token (sxw_...)")
    parser.add_argument("--group", default="integration", help="the group to create")
    parser.add_argument("--users", type=int, default=50, help="how many users")
    parser.add_argument("--first", type=int, default=3000, help="the first user name (a number)")
    parser.add_argument("--phonebook", help="the phonebook's name (default: '<group> directory')")
    parser.add_argument("--page-size", type=int, default=100, help="call records per page")
    parser.add_argument("--json", action="store_true", help="print a JSON summary instead of sentences")
    args = parser.parse_args(argv)

    api = Api(args.url, args.token)
    say = (lambda _text: None) if args.json else print
    try:
        summary = run(api, args, say)
    except ApiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except requests.RequestException as exc:
        print(f"error: cannot reach {args.url}: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
