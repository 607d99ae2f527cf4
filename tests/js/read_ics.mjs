// Reads an iCalendar file on stdin with Mozilla's ical.js (the parser of Thunderbird)
// and prints, per VEVENT, what a calendar client would show: uid, sequence, status and
// the start and end as UTC instants. Used by tests/functional/test_ics_parsers.py.
//
// No time zone is registered here on purpose: ical.js must resolve TZID=... from the
// VTIMEZONE inside the file, as a client that has never heard of the zone would.
import ICAL from "ical.js";

function utc(time, what) {
  // A floating time (no zone found) would silently be read in the machine's own zone.
  if (!time.zone || time.zone === ICAL.Timezone.localTimezone) {
    throw new Error(`${what}: no time zone resolved for ${time.toString()}`);
  }
  return time.toJSDate().toISOString().replace(".000Z", "Z");
}

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const calendar = new ICAL.Component(ICAL.parse(Buffer.concat(chunks).toString("utf8")));
const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    sequence: event.sequence,
    status: component.getFirstPropertyValue("status"),
    tzid: event.startDate.zone.tzid,
    start: utc(event.startDate, "DTSTART"),
    end: utc(event.endDate, "DTEND"),
  };
});
process.stdout.write(JSON.stringify(events));
