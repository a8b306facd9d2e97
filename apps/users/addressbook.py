"""The one table of the address-book (contact) fields: for each, the model field, the wire name
(docs/compatibility.md B.5.2 for phonebook entries, B.3.9 for a user's contact information), the column of the
sipXconfig phonebook CSV (B.5.1), the vCard property and which records carry it. Serializers, forms, the phonebook
CSV/vCard import and export and the PBX data file derive their field lists from here, so a field is added or
renamed in one place.

Plain data, no Django imports: `models.py` reads `ADDRESS_KEYS` from here."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from sipxweb.rest.fields import AddressField

TEXT = "text"
EMAIL = "email"  # text on the wire; the contact-information URI checks the e-mail form, entries do not
ADDRESS = "address"  # a dict of ADDRESS_KEYS
BOOL = "bool"
SALUTATION = "salutation"  # one of UserProfile.Salutation


@dataclass(frozen=True)
class ContactField:
    model: str  # field of AddressBookFields, UserProfile or PhonebookEntry
    wire: str  # B.5.2 / B.3.9 name; the data file's contactInformation key too
    kind: str = TEXT
    # B.5.1 CSV: the column title (an address: one title per ADDRESS_CSV_KEYS key it has) and the column's rank
    # (the CSV's order is not the wire order: location and the addresses come after the IM ids).
    csv: str | tuple[str, ...] | None = None
    csv_rank: int = 0
    # vCard: (property, TYPE parameter) for TEL and ADR, (property, position) for EMAIL and ORG, ("title", 0).
    vcard: tuple[str, str | int] | None = None
    entry: bool = True  # phonebook entries carry it (B.5.2)
    profile: bool = True  # the user profile stores it (a user's IM id and display name live on User)


# Wire order: B.3.9 (contact information), of which B.5.2 (entries) is the rows with `entry`.
FIELDS = (
    ContactField("job_title", "jobTitle", csv="Job Title", csv_rank=1, vcard=("title", 0)),
    ContactField("job_dept", "jobDept", csv="Job Department", csv_rank=2, vcard=("org", 1)),
    ContactField("company_name", "companyName", csv="Company Name", csv_rank=3, vcard=("org", 0)),
    ContactField("assistant_name", "assistantName", csv="Assistant Name", csv_rank=4),
    ContactField("location", "location", csv="Location", csv_rank=11),
    ContactField(
        "home_address",
        "homeAddress",
        ADDRESS,
        csv=("Home City", "Home Country", "Home State", "Home Street", "Home Zip"),
        csv_rank=12,
        vcard=("adr", "HOME"),
    ),
    ContactField(
        "office_address",
        "officeAddress",
        ADDRESS,
        csv=("Office City", "Office Country", "Office State", "Office Street", "Office Zip", "Office Designation"),
        csv_rank=13,
        vcard=("adr", "WORK"),
    ),
    ContactField("branch_address", "branchAddress", ADDRESS),
    ContactField("cell_phone_number", "cellPhoneNumber", csv="Cell Phone Number", csv_rank=5, vcard=("tel", "CELL")),
    ContactField("home_phone_number", "homePhoneNumber", csv="Home Phone Number", csv_rank=6, vcard=("tel", "HOME")),
    ContactField("assistant_phone_number", "assistantPhoneNumber", csv="Assistant Phone Number", csv_rank=7),
    ContactField("fax_number", "faxNumber", csv="Fax Number", csv_rank=8, vcard=("tel", "FAX")),
    ContactField("did_number", "didNumber"),
    ContactField("im_id", "imId", csv="Im Id", csv_rank=9, profile=False),
    ContactField("im_display_name", "imDisplayName", profile=False),
    ContactField("alternate_im_id", "alternateImId", csv="Alternate Im Id", csv_rank=10),
    ContactField("email_address", "emailAddress", EMAIL, csv="Office Mail", csv_rank=14, vcard=("email", 0)),
    ContactField(
        "alternate_email_address",
        "alternateEmailAddress",
        EMAIL,
        csv="Alternate Office Mail",
        csv_rank=15,
        vcard=("email", 1),
    ),
    # B.5.2 lists useBranchAddress, but phonebook documents never write it and entries ignore it.
    ContactField("use_branch_address", "useBranchAddress", BOOL, entry=False),
    ContactField("branch_name", "branchName", entry=False),
    ContactField("manager", "manager", entry=False),
    ContactField("salutation", "salutation", SALUTATION, entry=False),
    ContactField("employee_id", "employeeId", entry=False),
    ContactField("twiter_name", "twiterName", entry=False),
    ContactField("linkedin_name", "linkedinName", entry=False),
    ContactField("facebook_name", "facebookName", entry=False),
    ContactField("xing_name", "xingName", entry=False),
)

ENTRY_FIELDS = tuple(f for f in FIELDS if f.entry)  # a phonebook entry's contact-information, B.5.2 order
PROFILE_FIELDS = tuple(f for f in FIELDS if f.profile)  # what a UserProfile stores, B.3.9 order
BY_MODEL = {f.model: f for f in FIELDS}


@dataclass(frozen=True)
class AddressPart:
    label: str  # on the contact forms
    vcard: str | None  # the vobject.vcard.Address attribute


# The keys and their wire order are the wire field's (sipxweb.rest.fields.AddressField: the REST floor cannot import
# an app, so the list lives there and is used from here).
ADDRESS_KEYS: tuple[str, ...] = AddressField.KEYS
ADDRESS_PARTS = {
    "street": AddressPart(_("Street"), "street"),
    "city": AddressPart(_("City"), "city"),
    "country": AddressPart(_("Country"), "country"),
    "state": AddressPart(_("State"), "region"),
    "zip": AddressPart(_("ZIP code"), "code"),
    "officeDesignation": AddressPart(_("Office designation"), None),
}
if tuple(ADDRESS_PARTS) != ADDRESS_KEYS:
    raise ImportError("ADDRESS_PARTS must describe exactly AddressField.KEYS, in their order")
ADDRESS_LABELS = {key: part.label for key, part in ADDRESS_PARTS.items()}
# The key of each title in an address's `csv` titles (B.5.1 writes city, country, state, street, zip, designation).
ADDRESS_CSV_KEYS = ("city", "country", "state", "street", "zip", "officeDesignation")

# The three columns B.5.1 starts with; they are the entry's own fields, not address-book fields.
CSV_NAME_COLUMNS = (("First Name", "first_name"), ("Last Name", "last_name"), ("Number", "number"))


def csv_columns() -> list[tuple[str, str | tuple[str, str]]]:
    """B.5.1's columns in order: (title, model field or (address field, key))."""
    columns: list[tuple[str, str | tuple[str, str]]] = list(CSV_NAME_COLUMNS)
    for f in sorted((f for f in FIELDS if f.csv), key=lambda f: f.csv_rank):
        if f.kind == ADDRESS:
            columns += [(title, (f.model, key)) for title, key in zip(f.csv, ADDRESS_CSV_KEYS, strict=False)]
        else:
            columns.append((f.csv, f.model))
    return columns


def vcard_fields(prop: str) -> list[ContactField]:
    """The fields written as vCard property `prop`, in the order the vCard holds them."""
    found = [f for f in FIELDS if f.vcard and f.vcard[0] == prop]
    if prop in ("email", "org", "title"):
        found.sort(key=lambda f: f.vcard[1])
    return found
