// What a contract's milestone event means for billing: "signature of this Agreement" is due at
// once; "30 days after the Effective Date" on a date; "acceptance of the Deliverables" waits for
// its event; wording that names signing in another sense or several events ("execution of
// acceptance tests", "signature or go-live, whichever is later") needs a person. Phrases are
// matched as whole words on the whole event, never as substrings ("redesigning" is not
// "signing"). bill.plan and extract.terms read events through this one function.
#pragma once

#include <optional>
#include <string>

namespace covenant::activities::bill {

struct MilestoneEvent {
  // signing, acceptance, go_live, delivery, completion, or other (an event to be signalled).
  std::string kind = "other";
  bool at_signing = false;  // due when the agreement is signed (the term's start)
  // Due this long after signing: {value, unit} with unit day, week, month or year.
  std::optional<std::pair<int, std::string>> after_signing;
  std::string unclear;  // why a person must read it ("" when the wording is clear)
};

MilestoneEvent classify_milestone_event(const std::string& event);

}  // namespace covenant::activities::bill
