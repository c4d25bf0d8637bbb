"""Write `iom3_eval.jsonl`: the labelled evaluation set for the scorer (bench/evaluate.py).

Posts written for the IOM3 context, not taken from the demo sample. For each category: posts
that are it (positives) and posts that look like it and are not (hard negatives: praise with
strong words, sarcasm, news quoting an accusation, IOM3 in a URL, a correct disclaimer...),
plus ordinary chatter. Each row: text, the categories it truly belongs to (`labels`, possibly
several, possibly none), and what the scorer may know of its author (`context`).

    python tests/data/build_eval_set.py
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).with_name("iom3_eval.jsonl")

# (text, labels, context); labels are space-separated categories, "" for none.
ROWS: list[tuple[str, str, dict]] = []


def add(labels: str, context: dict | None, *texts: str) -> None:
    for text in texts:
        ROWS.append((text, labels, context or {}))


PUBLIC = {"channel_kind": "public"}
ASV_PERSONAL = {"channel_kind": "asv_personal"}
COMMITTEE = {"channel_kind": "asv_committee", "logo_approved": True}
UNREGISTERED = {"channel_kind": "public", "logo_approved": False}

# --- complaint ------------------------------------------------------------------------------
add(
    "complaint",
    PUBLIC,
    "@iom3 I paid for the webinar three days ago and still haven't had the joining link. No reply to two emails.",
    "Renewal page keeps failing at the payment step. Third evening in a row. Not good enough @iom3",
    "Been charged twice for my annual subscription, who do I speak to about a refund?",
    "The member portal is broken again, can't log in to download my CPD record",
    "Really disappointed that the Sheffield lecture was cancelled with two hours' notice",
    "My Materials World copy never arrived this month. Or last month. Anyone at IOM3 reading these?",
    "Waited 40 minutes on hold to the membership line, nobody answers. Terrible service",
    "The online application form doesn't work on Safari and support is ignoring my tickets",
    "Paid for the conference, got no confirmation, emailed twice, still waiting. Sort it out please",
    "Awful experience with the IOM3 events team, booked a place and got told it was full on the day",
    "Why is it so hard to update my address with IOM3? Form rejects every postcode",
    "Fed up of chasing my professional review result. Six months and no response",
    "IOM3 journal access not working from my university proxy for a fortnight now",
    "Cancellation fee of £60 for a course IOM3 moved? Unacceptable",
    "@iom3 my certificate has a typo in my name and nobody has replied in three weeks",
    "Shocking customer service from the institute today. Hung up on me twice.",
    "Absolute waste of money that course, the trainer read the slides and the recording never arrived",
    "How hard is it to send a receipt? Asked three times for my VAT invoice",
    "Still not received my fellowship certificate, ordered in August",
    "The new website is rubbish, can't find the exam timetable anywhere",
    "Overcharged for the student rate again. Second time this year. Poor.",
    "The IOM3 app logs me out every five minutes, useless for reading the magazine on the train",
    "I've complained twice about the noise at the venue and nothing changed. Disappointing.",
    "Let down by the IOM3 careers service, promised a CV review that never happened",
    "Exam results were due last Friday. Still nothing. Students are anxious, please reply",
    "Is anyone going to fix the broken link in the renewal email? Been like it for weeks",
)
add(
    "complaint",
    {"channel_kind": "public", "in_iom3_thread": True},
    "Same here, my direct debit was taken twice and no one has responded to my message",
    "This is the third time I've asked in these comments. Still no reply about my refund.",
)
add(
    "",
    PUBLIC,  # hard negatives: strong words in praise, sarcasm-free happy posts, complaints about others
    "No complaints at all, the IOM3 conference was superbly run",
    "Absolutely killer keynote at the IOM3 lecture tonight, brutal maths but brilliant",
    "The failure analysis course was awesome, we broke so many test pieces",
    "Not disappointed in the slightest with the webinar, worth every minute",
    "Shout out to the IOM3 membership team who sorted my renewal in five minutes",
    "Broken samples everywhere after the fatigue demo, what a fun afternoon",
    "The train to the IOM3 lecture was cancelled but I still made it, worth the trek",
    "Fracture mechanics is terrifying and wonderful, thanks for the session IOM3",
    "Worst puns of the year from the IOM3 quiz master, loved every one",
    "Thanks @iom3 for replying so quickly about my exam booking",
)
add(
    "",
    {"channel_kind": "official"},
    "Sorry to hear the portal isn't working for you, we've messaged you privately to sort it out",
    "We're aware the renewal page is broken this morning and the team are fixing it now. Apologies.",
)

# --- crisis ---------------------------------------------------------------------------------
add(
    "crisis",
    {"channel_kind": "public", "author_reach": 95000},
    "IOM3 taking sponsorship from a company under investigation for a tailings disaster is a scandal. Boycott.",
    "Members should boycott the IOM3 dinner until the board explains this decision",
    "Shameful greenwashing from a professional body. The chief executive should resign.",
    "We are preparing an open letter to IOM3 about the sponsorship. Sign here.",
)
add(
    "crisis",
    {"channel_kind": "public", "author_reach": 1200},
    "Cancelling my membership today. This sponsorship is a disgrace.",
    "Not renewing. IOM3 have lost a member over this.",
    "Embarrassed to be an IOM3 fellow this week. Returning my fellowship.",
    "Reporting this to the Charity Commission. Members deserve better.",
    "Boycott the awards. Blood money.",
    "If this data breach is real, IOM3 members' details are out there. Scandalous.",
    "Legal action is coming over the exam fiasco, mark my words #IOM3",
    "Disgraceful decision by the awards committee, they should step down",
    "The whole department is boycotting the IOM3 gala after this",
    "Shame on you IOM3. Shame.",
    "Scandal after scandal at the institute this year. Resign, all of you.",
    "Lawsuit filed today against the institute by former exam candidates, apparently",
    "Returning my medal in protest at the sponsorship",
    "Open letter to the IOM3 council now has 400 signatures",
    "Absolutely disgraceful behaviour from a charity. Charity Commission needs to look at this.",
    "IOM3 greenwashing again. We won't stay quiet. Boycott.",
)
add(
    "",
    PUBLIC,
    "Our MSc project looks at breach behaviour in tailings dams, great IOM3 seminar on it",
    "The disgrace of British steel's decline, a great history talk at IOM3 last night",
    "Not boycotting anything, I think IOM3 handled the sponsorship question well",
    "The lecture on the Aberfan disaster was moving and important. Thank you IOM3.",
    "Lawsuit-proof contracts for materials testing labs, a useful IOM3 workshop",
    "Scandal-free conference for once, ha! Really good programme this year",
    "Breach of containment case studies in the nuclear materials session were excellent",
    "Resigned to the fact I'll never understand dislocation theory, great lecture though",
)

# --- defamation -----------------------------------------------------------------------------
add(
    "defamation",
    PUBLIC,
    "The treasurer of the Midlands branch is a thief, he stole the raffle money",
    "Dr Karen Hollis faked her fellowship application, everyone knows it",
    "Brackley Metals plc bribed the inspectors to pass the plant, corrupt to the core",
    "Paul Benning on the exam board is a liar and a fraud",
    "The IOM3 council is corrupt, they fix the awards for their mates",
    "Their president embezzled funds from the student bursary, I have no doubt",
    "Mark Ellison is a con man who sold fake qualifications to graduates",
    "Ardent Mining Ltd are crooks, they lied to regulators and the inspectors took bribes",
    "The chair of the committee cooked the books last year, fraud pure and simple",
    "That company is a scam and its directors are criminals",
    "Simon Farrow is a fraudster. He stole my research and put his name on it.",
    "The trustees are corrupt and money laundering through the awards",
    "Jane Porter lied about her PhD, she's a fraud",
    "The secretary of the Scottish branch is stealing from the members, plain theft",
    "Kelso Alloys ltd faked their test certificates and their CEO is a liar",
    "The panel chair is on the take, that's why our accreditation failed",
)
add(
    "",
    PUBLIC,
    "For the record, I don't think anyone on the IOM3 council is corrupt",
    "They called us a scam in the comments, which is nonsense: we're a registered charity",
    "Campaigners claim the company 'lied to regulators'; the firm denies any wrongdoing",
    "Reuters reports that the firm is accused of fraud in a separate case; it denies the allegations",
    "Fraud detection with machine learning in materials supply chains, a great IOM3 talk",
    "The villain in our panto is a thief who steals the Christmas alloy, come along!",
    "Not a scam, just a very good deal on the student membership",
    "Corrupt data files are the worst, lost a day of tensile results",
    "The chair was never a liar, whatever the rumours say",
    "My dog stole my sandwich during the IOM3 webinar",
)

# --- press ----------------------------------------------------------------------------------
add(
    "press",
    PUBLIC,
    "@DrAnnaWhite I'm a reporter at the BBC looking into the IOM3 awards row. Could you comment for a piece tonight?",
    "Hi Raj, journalist at The Times here. Would you speak to me on the record about your IOM3 committee?",
    "@SheffMetallurgy writing a story about the branch closure for tomorrow's paper, DMs open for comment",
    "Producer at Sky News. Are any IOM3 volunteers willing to be interviewed about the sponsorship?",
    "Press enquiry: The Engineer is writing about IOM3 exam delays. Could you comment?",
    "@TomHarding_CEng I'm a reporter at the Telegraph, can I ask you a few questions for an article about IOM3?",
    "Looking for IOM3 members to speak to me for a magazine article on the accreditation backlog. DMs open.",
    "Journalist here. You're on the IOM3 council, would you give me a quote for the piece?",
    "@iom3_ymc hi, reporter for New Civil Engineer, would your committee comment for a story on the awards?",
    "Media enquiry for IOM3 volunteers: can anyone speak on the record about the merger rumours?",
    "Guardian newsdesk: we'd like to talk to IOM3 trustees about the sponsorship. Please get in touch.",
    "@LucyMetals could you comment for my article? I'm a journalist covering the mining awards",
)
add(
    "",
    PUBLIC,
    "I was asked by a journalist about the sponsorship and I've passed it to the Communications team",
    "Great article in The Engineer about our graduate scheme, thanks IOM3 for the shout-out",
    "Reading the Guardian on the train, then off to the IOM3 lecture",
    "Our newsletter has a story about the IOM3 schools challenge this month",
    "Lovely to see the BBC cover the steel heritage project IOM3 supported",
    "I used to be a reporter before I retrained as a materials engineer. Best decision.",
    "Referred the reporter's questions to the IOM3 comms team, as the policy says",
    "Recorded a podcast for the IOM3 series today, on the record about my career!",
)

# --- harassment -----------------------------------------------------------------------------
# Harassment: offensive, abusive or bullying language aimed at people. Discrimination: hate on a
# protected characteristic (sex, race, religion, sexuality, age, disability, gender identity).
add(
    "harassment",
    PUBLIC,
    "@IOM3_YMC your new chair is a useless idiot and everyone laughs at her",
    "Shut up you pathetic loser, nobody asked for your opinion on alloys",
    "What a fucking moron, the speaker couldn't answer a single question",
    "Kill yourself, you fraud of a lecturer",
    "You stupid bitch, delete your post about the awards",
    "Watch your back at the next branch meeting, we know where you live",
    "Snowflake graduates whining about exam delays, pathetic",
    "Shut up @HelenMaterials you dumb cow, nobody cares",
    "Quit before we make you, useless committee",
    "Scum, the lot of the young members committee",
    "You're a disgusting creep, stop messaging students",
)
add(
    "discrimination",
    PUBLIC,
    "Women in engineering lol. Girls can't do metallurgy, back to the kitchen",
    "Another foreigner winning the medal. These people shouldn't be allowed in British institutions",
    "Go back to your country, nobody wants you on this committee",
    "The gay mafia running IOM3 awards again, disgusting",
    "Muslims shouldn't be allowed on the council, simple as",
    "Too old to understand anything, these old fools on the board should quit",
    "Disabled people slow everything down at site visits, why bother",
)
add(
    "",
    PUBLIC,
    "Congratulations to all the women shortlisted for the IOM3 awards this year",
    "Proud to see the gay and lesbian network at the IOM3 careers fair",
    "Stupidly good lecture, I'm still thinking about it",
    "Disabled access at the new IOM3 venue is excellent, thank you",
    "The old steelworks tour was amazing, an 1890s rolling mill still running",
    "Our Muslim students society joined the IOM3 schools day, great fun",
    "That demo was sick, the furnace almost melted my phone",
    "Don't be an idiot like me and forget your hard hat on the site visit",
    "Killing it at the IOM3 quiz tonight, team Dislocations forever",
    "Refugees in engineering: a moving IOM3 panel about rebuilding careers",
)

# --- safeguarding ---------------------------------------------------------------------------
add(
    "safeguarding",
    PUBLIC,
    "Didn't win the IOM3 schools prize. Everyone hates me. I don't want to be here anymore",
    "After the exam results I just want to die. What's the point",
    "Hey, you're clever for 14. DM me and we can meet up, don't tell your parents",
    "One of our Year 9 pupils from the IOM3 competition photo is being bullied about it, please take it down",
    "I'm 15 and a man from the materials club keeps asking me to send pics",
    "Feeling suicidal since losing my apprenticeship, sorry to post here",
    "My daughter is 13 and an adult from the IOM3 forum asked her to keep it our secret",
    "Can't go on like this, planning to end it all tonight",
    "A student at school says she's been hurting herself since the competition",
    "You're so mature for 16, meet me after the STEM fair and we'll talk alone",
    "This kid in the IOM3 outreach video is being abused in the comments, he's only 12",
    "Self harm again last night. Nobody at uni notices.",
)
add(
    "",
    PUBLIC,
    "Our Year 10 pupils loved the IOM3 bridge challenge, thank you volunteers",
    "My son wants to be a metallurgist after the IOM3 schools day",
    "Dying to see the results of the IOM3 schools competition!",
    "This exam is killing me, but I'll survive, wish me luck",
    "Meet me at the IOM3 stand at the careers fair, I'll be there all day",
    "Kids' workshop at the IOM3 family day was a huge hit",
    "Safeguarding training for STEM ambassadors is really well done",
    "DM me if you want the slides from the schools talk",
)

# --- disclosure -----------------------------------------------------------------------------
add(
    "disclosure",
    PUBLIC,
    "I volunteer on an IOM3 accreditation panel and I have evidence that reports were altered to pass a failing course",
    "As a committee member I'm raising this publicly because nobody internally acted: exam scripts were falsified",
    "I work at IOM3 and the safety audit of the lab was covered up. I have proof.",
    "Whistleblowing: I sit on the awards committee and results were rigged for a sponsor",
    "I have evidence of misuse of funds in the branch accounts and no one internally listened",
    "Speaking out as a volunteer: the training centre is unsafe and it's been covered up for a year",
    "I work for an accredited lab and we doctored test data to keep IOM3 accreditation. I can't stay quiet.",
    "As a committee member I have proof that the minutes were altered after the vote",
)
add(
    "",
    PUBLIC,
    "Great IOM3 seminar on whistleblowing policies in engineering firms",
    "I volunteer on the IOM3 schools committee and love every minute",
    "Our lab altered the heat treatment schedule and the results are much better",
    "The case study on the covered-up bridge defects was sobering, brilliant lecture",
    "I work at a foundry and IOM3 membership helped me get chartered",
    "The documentary about the whistleblower at the steelworks was gripping",
)

# --- confidentiality ------------------------------------------------------------------------
add(
    "confidentiality",
    PUBLIC,
    "Heard at council: IOM3 is merging with another institute, embargoed until next month. You heard it here first!",
    "From the internal board papers: a £900k deficit next year and two regional offices closing",
    "Leaked: the shortlist for the IOM3 medals, not public yet",
    "Here's the spreadsheet of our members' emails and phone numbers for the car share",
    "Internal only, but members deserve to know: redundancies planned at IOM3",
    "The strategic plan the council discussed in confidence: they want to sell the building",
    "Embargoed: the IOM3 salary survey results, out officially on Monday",
    "Screenshot of the internal memo about the exam fees rise, confidential but whatever",
    "The membership list with home addresses was shared in our committee group chat",
    "Board minutes say the budget forecast is grim, not announced yet",
)
add(
    "",
    PUBLIC,
    "The IOM3 annual report is out, with the full accounts published online",
    "Budget tips for students going to the IOM3 conference: book trains early",
    "Confidential hotline details for members are on the IOM3 website",
    "The merger of two grains under heat is called coarsening, great seminar on it",
    "Our committee meeting minutes are now on the IOM3 website for all members",
    "Embargo lifted: IOM3's new president announced today!",
)

# --- political ------------------------------------------------------------------------------
add(
    "political",
    PUBLIC,
    "As a committee we say: vote Labour on Thursday, the only party serious about manufacturing",
    "Every IOM3 member should vote Conservative at the general election",
    "Don't vote Reform, they'd wreck the steel industry",
    "Vote Green in the by-election if you care about mining waste",
    "As an IOM3 trustee I urge every member to vote Lib Dem",
    "The Tories have destroyed British manufacturing. Vote them out.",
    "Make sure you vote SNP on polling day, Scotland's engineers need it",
    "Labour's manifesto is the only one that mentions critical minerals, vote for them",
)
add(
    "",
    PUBLIC,
    "IOM3 has responded to the government consultation on critical minerals",
    "Skilled labour shortages are the theme of this year's IOM3 mining lecture",
    "The conservation of historic ironwork, a lovely IOM3 talk",
    "Green steel is coming faster than expected, says the IOM3 panel",
    "Ballot papers for the IOM3 council elections are out, members please vote",
    "We welcome the new industrial strategy and have submitted evidence",
)

# --- brand name -----------------------------------------------------------------------------
add(
    "brand_name",
    PUBLIC,
    "Looking forward to the IoM3 lecture in Cardiff on Thursday",
    "Thanks to Iom3 for the travel bursary!",
    "Proud to be a member of the I.M3 for ten years",
    "Join the IOM 3 Wood Technology Society for our next site visit",
    "Great evening with the iom3 young members in Leeds",
    "The I.O.M.3 conference programme is out",
    "Renewed my IoM3 membership this morning",
    "Attending the IOM-3 careers fair tomorrow",
)
add(
    "brand_name",
    COMMITTEE,
    "Our next joint meeting with the IoM3 is on steel recycling",
    "The Iom3 Packaging Society gala is sold out!",
)
add(
    "",
    PUBLIC,
    "Details at https://www.iom3.org/events/lecture and questions to events@iom3.org",
    "Tag us @iom3 and use #iom3 for the photo competition",
    "Great IOM3 lecture tonight, thank you!",
    "IOM3's awards are open for nominations",
    "See iom3.org/membership for the student rates",
    "Follow @IOM3_YMC for young members news #IOM3",
)

# --- disclaimer -----------------------------------------------------------------------------
add(
    "disclaimer",
    ASV_PERSONAL,
    "Proud of the IOM3 schools programme. Every company should back it. Join IOM3 today!",
    "As an IOM3 trustee I think the institute's new strategy is exactly right. Sign up and support it.",
    "IOM3 is the best professional body in the sector, I recommend joining",
    "Proud to support IOM3's mentoring scheme. Join us!",
    "As an IOM3 volunteer, I can tell you the new exams are much fairer. Sign up now.",
    "The Institute of Materials is leading on net zero, proud to support its work",
)
add(
    "",
    ASV_PERSONAL,
    "Mentoring with IOM3 has been the best part of my year. The views expressed here are my own and don't necessarily represent the positions of IOM3.",
    "Proud to support IOM3's schools outreach. Views are my own.",
    "Lovely weekend walking in the Peak District with the family",
    "Join me at the IOM3 lecture on Thursday! (Opinions are my own, not the views of IOM3.)",
)
add(
    "",
    PUBLIC,
    "Proud of the IOM3 schools programme. Join IOM3 today!",
    "IOM3 is the best professional body in the sector, I recommend joining",
)

# --- logo -----------------------------------------------------------------------------------
add(
    "logo",
    UNREGISTERED,
    "New profile picture with the IOM3 logo, follow us for student events!",
    "Updated our cover photo with the IOM3 crest",
    "Made some t-shirts with the IOM3 logo for our society, who wants one?",
    "Our new page banner uses the official IOM3 logo and trademark",
    "Printed the IOM3 badge on our conference lanyards",
)
add(
    "logo",
    {"channel_kind": "asv_committee", "logo_approved": False},
    "Fresh look for the branch page with the IOM3 logo",
    "We've added the IOM3 logo to our committee flyers",
)
add(
    "",
    COMMITTEE,
    "New banner for the Young Members page with the IOM3 logo, approved by the comms team",
)
add(
    "",
    PUBLIC,
    "Design a logo for your company: a great IOM3 workshop on branding for SMEs",
    "The crest of the old Iron and Steel Institute is on display at the IOM3 offices, beautiful",
    "Badge of honour: passed my IOM3 professional review!",
)

# --- copyright ------------------------------------------------------------------------------
add(
    "copyright",
    PUBLIC,
    "Stunning steel mill at dawn (found on Google) #IOM3",
    "Image from some random website, no copyright intended, love this microstructure",
    "Not my photo but it's a great shot of the IOM3 awards, credit to owner",
    "Pic from a friend's Instagram, reposted from their story without asking",
    "Screenshot of a paywalled article on corrosion, sharing for everyone",
    "Copied from the textbook, here's the whole chapter on phase diagrams",
)
add(
    "",
    PUBLIC,
    "Photo credit: IOM3 / Chris Wood, used with permission",
    "Image courtesy of the Science Museum Group, thanks for letting us share it",
    "Our own photo of the casting demo, taken by our lab manager",
    "The copyright law session at the IOM3 conference was really useful",
)

# --- ordinary chatter -----------------------------------------------------------------------
add(
    "",
    PUBLIC,
    "Great evening at the IOM3 careers fair, spoke to eight employers",
    "Materials World arrived, reading the piece on glass recycling first",
    "Anyone know if the Thursday lecture will be recorded?",
    "Congratulations to this year's IOM3 award winners",
    "Signed up for the IOM3 corrosion course in March",
    "First IOM3 branch meeting tonight, a bit nervous!",
    "The IOM3 library found me a 1962 paper on creep in ten minutes",
    "Lovely photos from the IOM3 Young Members ball",
    "Chartership interview booked with IOM3 for January",
    "Does the IOM3 student rate apply to part-time MSc students?",
    "Back from the IOM3 site visit to the tin mine, muddy but happy",
    "The IOM3 podcast on aluminium recycling is well worth a listen",
    "Thank you IOM3 for the travel grant to Montreal",
    "Nice write-up of our lab's work in the IOM3 newsletter",
    "Sharing the IOM3 guide to professional registration with my team",
    "Heading to the IOM3 dinner in my best suit",
    "The schools bridge challenge returns in March, teachers sign up now",
    "Who else is presenting at the IOM3 composites conference?",
    "Brilliant panel on women in mining at the IOM3 lecture theatre",
    "Five new fellows from our department this year, well done all",
    "The IOM3 timber conference is in Edinburgh next year",
    "Reading about graphene's history on the IOM3 blog",
    "Our poster won second prize at the IOM3 student day",
    "The IOM3 mentoring app is really easy to use",
    "Volunteering at the IOM3 stand at the Big Bang Fair tomorrow",
    "Off to the ceramics society lecture, see some of you there",
    "Joined the IOM3 surface engineering division today",
    "Good turnout for the IOM3 packaging webinar",
    "The archive photos of the old institute building are wonderful",
    "IOM3 CPD hours logged for the year, finally",
    "Love the new Materials World cover design",
    "Presenting my PhD work at the IOM3 seminar next week",
    "Quick question: where is the IOM3 office in London?",
    "Ten years of IOM3 membership today",
    "Delighted our apprentices got IOM3 EngTech registration",
    "The IOM3 quiz night raised £600 for the schools fund",
    "What time does registration open at the IOM3 conference?",
    "Great chat with the IOM3 team at the careers fair",
    "Our students' society is affiliated with IOM3 this year",
    "The lecture slides are now on the IOM3 website",
)

# --- second batch: more of every category, written a week later by a different hand -----------
add(
    "complaint",
    PUBLIC,
    "Ordered the IOM3 tie for my dad's birthday, it never turned up and the shop won't answer",
    "The registration queue at the IOM3 conference took an hour. Badly organised.",
    "Can somebody at IOM3 explain why my membership lapsed when I paid in full?",
    "The exam centre gave us the wrong paper and now we have to resit. Unbelievable.",
    "Tried phoning the institute six times today. Nobody picks up. Is anyone there?",
    "Three weeks for a password reset email is ridiculous @iom3",
    "IOM3 webinar link dead, slides missing, recording never arrived. Not impressed.",
    "My student membership was cancelled by mistake and I've lost access to the library",
    "Paid £45 for a ticket, event moved online, no refund offered",
    "The accreditation team keep losing our documents. Fourth time we've sent them.",
    "Couldn't hear a thing at the back of the lecture theatre, the mic was broken all night",
    "Been asking for my CPD certificate since June. Still waiting for a reply.",
    "Your checkout page errors every time I try to pay, please fix it",
    "No response from IOM3 about the mistake on my exam transcript",
    "Hotel block for the conference sold out and the alternative was 40 minutes away. Poor planning.",
    "Disappointed to find the student discount doesn't apply to the dinner",
    "IOM3 sent my magazine to my old address again despite two updates",
    "The online exam crashed halfway through and there's been no word since",
    "Membership renewal reminders keep coming even though I've paid. Annoying.",
    "The course materials we were promised never arrived. Rubbish.",
    "@iom3 the venue you chose has no step-free access, which is not acceptable",
    "Still no answer on whether the cancelled workshop will be rescheduled",
    "Been overcharged for the fellowship upgrade, need this corrected please",
    "I've raised a complaint about the exam invigilator and heard nothing",
)
add(
    "",
    PUBLIC,
    "Really impressed how quickly IOM3 sorted my membership issue today",
    "My experiment broke but the IOM3 helpline helped me find the standard I needed",
    "Ignored the rain and went to the IOM3 site visit, glad I did",
    "Worst weather ever for the field trip but the quarry was spectacular",
    "Still waiting for my turn at the IOM3 poster session, so many good posters",
    "Refund came through in two days, thank you IOM3 finance team",
    "Can't wait for the IOM3 Christmas lecture!",
    "Not working today, so catching up on IOM3 webinars",
    "The brittle fracture demo was a smashing success, literally",
    "No reply needed, just wanted to say thanks for a great event",
)
add(
    "crisis",
    {"channel_kind": "public", "author_reach": 54000},
    "IOM3 members deserve answers about the exam scandal. The board must resign.",
    "Breaking: IOM3 data breach exposed thousands of member records. Appalling.",
    "This is a scandal. A professional body sponsored by polluters. Boycott now.",
    "Charity Commission should investigate IOM3 over the awards scandal",
)
add(
    "crisis",
    PUBLIC,
    "Cancel my membership. I'm done with this institute after today.",
    "Join the boycott of IOM3 events until they drop the sponsor",
    "Open letter to IOM3: 300 engineers ask the president to step down",
    "Disgraceful silence from IOM3 about the data breach",
    "Boycotting IOM3 until there's a proper inquiry",
    "Shameful. I'm returning my medal.",
    "Seriously considering legal action against IOM3 over the exam mess",
    "Greenwashing on a grand scale. Shame on the institute.",
)
add(
    "",
    PUBLIC,
    "The boycott of 1930s tin was a fascinating story, great IOM3 history lecture",
    "Data breach prevention in labs, useful IOM3 webinar",
    "Not cancelling my membership, IOM3 has been brilliant for my career",
    "Steel for the lawsuit-free supply chain: a panel at IOM3",
    "The open letter from the engineering bodies on skills was signed by IOM3 too",
    "Resignation of the old bridge inspector in the 1900s case study was gripping",
)
add(
    "defamation",
    PUBLIC,
    "Dr Martin Reeve is a fraud. He copied his thesis and IOM3 gave him a medal.",
    "Halden Extraction plc bribed officials to get the permit, everyone in the trade knows",
    "Their treasurer stole from the benevolent fund, check the accounts",
    "The awards committee is corrupt and the chair is a liar",
    "Susan Clarke embezzled the branch funds and the council covered for her",
    "Nortec Ceramics Ltd are frauds, their certificates are fake",
    "The IOM3 president is a crook who should be in prison",
    "Gavin Stone, who runs the exam board, lies to candidates and steals their fees",
    "Ferris Group are liars and thieves, they stole our patent",
    "The branch secretary is a predator and a criminal",
)
add(
    "",
    PUBLIC,
    "The fraud squad's forensic metallurgy talk at IOM3 was excellent",
    "Police say the suspect stole copper cable from the railway, a big problem for the network",
    "I was wrong to call him a liar last week, I apologise to Dr Reeve",
    "Accused of being a nerd at the IOM3 quiz. Guilty as charged.",
    "Is it fraud if I eat all the biscuits at the IOM3 meeting? Asking for a friend",
    "The article alleges the company bribed officials; the company says it will sue",
    "Never thought he was corrupt, he's the most honest chair we've had",
    "Scam emails pretending to be IOM3 are going round, don't click the link",
)
add(
    "press",
    PUBLIC,
    "Hi @MaryOkafor, I'm a journalist at Reuters. Do you have time to talk about the IOM3 merger for a story?",
    "Reporter here: you chair an IOM3 committee, could you comment for our piece on the awards?",
    "Working on an article for the Financial Times about IOM3 exam delays, would any volunteers speak to me?",
    "@DanCarterMetals press enquiry from ITV News, can we interview you about the sponsorship tomorrow?",
    "I'm writing a story about professional bodies and sponsorship, DMs open for IOM3 trustees",
    "Channel 4 producer looking for IOM3 members to comment on the data breach",
    "@FionaBrass journalist at the Independent, may I quote your post in an article about IOM3?",
    "Could any IOM3 fellow comment for a magazine feature on the exam changes? Deadline 5pm",
    "Interview request: Daily Mail would like to speak to IOM3 branch volunteers",
    "Hello, reporter at the Press Association: are you the IOM3 committee member who posted about the merger?",
    "On the record or off, I'd love to hear from IOM3 volunteers for my story",
    "Newspaper journalist here, can you comment on the IOM3 exam results for tomorrow's edition?",
)
add(
    "",
    PUBLIC,
    "I was contacted by a reporter and asked them to contact the IOM3 Communications Executive",
    "Journalism students visited the IOM3 materials lab, lovely questions",
    "The Engineer magazine has a great feature on IOM3's apprentices this month",
    "My article on slag chemistry is out in an IOM3 journal",
    "Watching the BBC documentary on the Forth Bridge with IOM3 friends",
    "Press release: IOM3 announces new schools programme",
)
add(
    "harassment",
    PUBLIC,
    "Fat ugly cow, why is she even on the stage at IOM3",
    "You're a fucking disgrace to engineering, get off the committee",
    "What an idiot. Delete your account, you retard",
    "Hope you die, you smug prick",
    "Useless clown, everyone laughs at your presentations",
    "That bitch from the young members needs to shut up",
)
add(
    "discrimination",
    PUBLIC,
    "Trannies shouldn't be allowed at IOM3 events",
    "Go back where you came from, immigrants ruin our industry",
    "Look at these stupid girls pretending to be engineers",
    "Bloody foreigners taking all the IOM3 awards now",
    "Nobody wants a jew on the council",
    "You cripple, you can't even climb the stairs at the site visit",
)
add(
    "",
    PUBLIC,
    "Fat content in the cafeteria food is the only thing wrong with the IOM3 conference",
    "The trans-Atlantic collaboration on alloys was celebrated at IOM3 tonight",
    "You're a genius, that demo was unbelievable",
    "Don't be stupid like me and leave your poster on the train",
    "The ugly duckling of alloys: a brilliant talk on zinc",
    "Shit, I missed the IOM3 webinar. Is there a recording?",
    "Immigrant engineers built the railways, a great IOM3 history talk",
    "Celebrating Jewish contributions to British metallurgy at the IOM3 lecture",
)
add(
    "safeguarding",
    PUBLIC,
    "Nobody would care if I disappeared. Might just kill myself tonight.",
    "A 13 year old from the schools challenge is getting creepy messages from an adult member",
    "Please help, my son (15) was asked by someone from the IOM3 club to send photos of himself",
    "Since the competition I've been self-harming and I don't know who to tell",
    "I don't want to be here anymore, sorry everyone",
    "Are you alone right now? You're very grown up for 14",
    "Our pupil in the IOM3 video is being threatened online, she's 12 and scared",
    "Feeling suicidal after failing my IOM3 exam for the third time",
    "He told my 16 year old to keep their chats our little secret",
    "There's a child in the outreach photos being bullied at school because of it",
)
add(
    "",
    PUBLIC,
    "Year 7 pupils built a balsa bridge that held 20kg at the IOM3 challenge!",
    "My daughter got her first IOM3 student prize, so proud",
    "Meet up at the pub after the IOM3 lecture? First round on me",
    "Kids loved the smelting demo at the IOM3 family day",
    "Dying of laughter at the IOM3 quiz question about bronze",
    "Send me a photo of your poster and I'll print it for the IOM3 session",
)
add(
    "disclosure",
    PUBLIC,
    "I work at IOM3 and I have evidence the exam pass marks were manipulated. Nobody internally acted.",
    "As a committee member I'm blowing the whistle: the accreditation reports were falsified",
    "I volunteer for IOM3 and the lab is unsafe. Health and safety breach covered up for months.",
    "I sit on the finance committee and have proof of misuse of funds. Raising this publicly now.",
    "Speaking out as an IOM3 volunteer: misconduct in the awards process was covered up",
    "I work for an IOM3 accredited centre and we were told to alter candidates' marks. I have emails.",
    "I volunteer on the exam board and results were rigged; no one internally listened",
    "Whistleblower here: I work at the institute and malpractice in the exams is being hidden",
)
add(
    "",
    PUBLIC,
    "Whistleblowing policy training for IOM3 volunteers is now online",
    "I sit on the IOM3 young members committee and we've got a great year planned",
    "The falsified data case study in the ethics module was eye-opening",
    "Our safety audit found nothing unsafe, well done to the lab team",
)
add(
    "confidentiality",
    PUBLIC,
    "Not been announced yet but the IOM3 chief executive is leaving, heard it from a trustee",
    "Off the record: the IOM3 exam fees will double next year, don't share",
    "Photo of the confidential council agenda, look at item 7",
    "Leaked board minutes: IOM3 considering a merger with the Welding Institute",
    "Sharing the members' emails list so we can invite everyone to the quiz",
    "Internal email says the journal will close, keep it quiet",
    "Under embargo till Friday but the new president is Professor Jones",
    "From the staff meeting today: redundancies coming in the publishing team",
    "The IOM3 budget forecast from the finance committee shows a big deficit, internal use only",
    "Here's the strategy document the board approved in private",
)
add(
    "",
    PUBLIC,
    "The IOM3 strategy for 2030 is published on the website, worth a read",
    "Our branch budget for the year is on the members' page",
    "Confidential advice service for members in difficulty is free",
    "Merger of the two branches was announced publicly at the AGM",
    "Internal stresses in welds, a great IOM3 seminar",
    "Leak testing of pressure vessels: a practical IOM3 course",
)
add(
    "political",
    PUBLIC,
    "Vote Labour on 4 July, engineers! IOM3 members know they're right on industry.",
    "The Conservatives have failed engineering. Don't vote for them.",
    "IOM3 branch committee backs the Green Party at the election",
    "Vote Reform UK, the only ones who'll protect British steel",
    "As an IOM3 fellow I urge you to vote Plaid Cymru",
    "Tories out. Vote them out on Thursday.",
    "Vote for the Lib Dems if you care about science funding",
    "Every IOM3 member: make sure you vote SNP",
    "Our committee says vote Conservative at the general election",
    "Labour will ruin mining. Vote against them.",
)
add(
    "",
    PUBLIC,
    "The labour market for materials graduates is strong, says the IOM3 survey",
    "Conservative estimates put the alloy's fatigue life at 20 years",
    "Green hydrogen and steelmaking, an IOM3 panel",
    "Vote for the IOM3 student poster prize by Friday!",
    "Reform of engineering apprenticeships discussed at IOM3",
    "The IOM3 response to the election manifestos on skills is neutral and practical",
)
add(
    "brand_name",
    PUBLIC,
    "Going to my first IoM3 event tonight!",
    "Shout out to the iom3 careers team",
    "Big thanks to I.M3 for the student prize",
    "The Iom3 ceramics lecture was superb",
    "Renewed with the IOM 3 this morning",
    "IoM3 awards dinner photos are up",
    "I.O.M3 webinar on recycling tomorrow",
    "Great to meet the IoM3 volunteers at the fair",
    "Support the Iom3 schools programme!",
    "The iom3 library is a hidden gem",
)
add(
    "",
    PUBLIC,
    "IOM3 is hiring: see https://www.iom3.org/careers",
    "Email membership@iom3.org for the student rate",
    "Catch up with @iom3 on the latest news #iom3",
    "IOM3 IOM3 IOM3, can't stop saying it after the ceremony",
)
add(
    "disclaimer",
    ASV_PERSONAL,
    "Join the IOM3 today and support the future of materials science!",
    "On behalf of the IOM3 council I'm proud to announce our new bursaries",
    "I recommend every graduate joins the Institute of Materials",
    "Proud to be an IOM3 trustee. Our new strategy is bold and right.",
    "Support IOM3's campaign for more engineering apprenticeships, sign up below",
    "The IOM3 awards are the best in the industry. Proud to judge them. Join us!",
)
add(
    "",
    ASV_PERSONAL,
    "Proud to support IOM3's schools work. The views expressed on this site are my own.",
    "Join me at the IOM3 lecture tonight. My views, not IOM3's: speaking for myself.",
    "Had a lovely weekend at the seaside",
    "Great football match yesterday, what a goal",
    "Recommend this book on the history of steel. Views are my own.",
)
add(
    "logo",
    UNREGISTERED,
    "Check out our new logo, based on the IOM3 trademark",
    "We put the IOM3 logo on our student society hoodies",
    "Using the IOM3 crest on our event poster, looks smart",
    "Our unofficial IOM3 fan page now has the logo as its profile picture",
    "Added the IOM3 logo to our conference slides template",
)
add(
    "",
    PUBLIC,
    "The logo design competition for our own society is open",
    "Trademark law basics for engineers, an IOM3 webinar",
)
add(
    "copyright",
    PUBLIC,
    "Found this on Google images, perfect for our branch newsletter",
    "Photo from a news site, not mine, sharing anyway",
    "Screenshot of the whole IOM3 journal article for those without access",
    "Copied from a colleague's slides, hope they don't mind",
    "Not my image, credit to the owner, whoever that is",
    "Reposted from a photographer's page without asking, too good not to share",
)
add(
    "",
    PUBLIC,
    "Image credit: the Smithsonian, used with permission",
    "Photo courtesy of the IOM3 archive",
    "Our lab photographer took this one, all rights ours",
)
add(
    "",
    PUBLIC,
    "Can't believe how many people came to the IOM3 lecture tonight",
    "The IOM3 Young Members quiz is back in February",
    "Applied for IOM3 chartership today, fingers crossed",
    "Excellent IOM3 session on additive manufacturing qualification",
    "Anyone driving to the IOM3 site visit from Derby?",
    "The December Materials World has a lovely piece on bells",
    "IOM3 membership card arrived, feels official now",
    "Enjoyed the IOM3 webinar on hydrogen pipelines",
    "Thanks to the volunteers who ran the IOM3 schools day",
    "Presenting at the IOM3 ceramics conference in April",
    "Congrats to our lab on the IOM3 award",
    "The IOM3 careers guide is really helpful for graduates",
    "Book club reading the IOM3 history of the institute",
    "Lovely to see so many students at the IOM3 lecture",
    "Which IOM3 division is best for corrosion people?",
    "Picked up my IOM3 fellowship certificate today",
    "The IOM3 awards ceremony is on YouTube",
    "Had a great chat with my IOM3 mentor",
    "IOM3 lecture on rare earths was packed",
    "Writing up my IOM3 professional review report this weekend",
    "Sharing the IOM3 materials careers poster with my school",
    "Heading to London for the IOM3 council meeting",
    "Good to see IOM3 at the Big Bang Fair",
    "IOM3 webinar recordings are a lifesaver for shift workers",
    "Tea, biscuits and an IOM3 journal. Perfect Sunday.",
    "Our branch AGM is next Tuesday, all welcome",
    "Looking for a lift to the IOM3 Birmingham lecture",
    "First time at an IOM3 event and everyone was lovely",
    "The IOM3 graduate scheme accreditation process was smooth",
    "IOM3 mining division dinner was a great night",
    "Updated my CV with my IOM3 membership grade",
    "Thanks IOM3 for the free student membership",
    "The IOM3 podcast has a new episode on titanium",
    "Ten IOM3 CPD hours done this month",
    "Watching the IOM3 lecture livestream from Glasgow",
    "IOM3 packaging awards shortlist announced",
    "Loved the IOM3 exhibition on bronze age metallurgy",
    "Our society joined IOM3 as a corporate partner",
    "IOM3 journal special issue on recycling is out",
    "Bumped into my old professor at the IOM3 dinner",
)

# --- third batch: the smaller categories, and sarcasm ---------------------------------------
add(
    "copyright",
    PUBLIC,
    "Grabbed this photo from Google for our flyer, looks great",
    "No copyright intended, just sharing this lovely SEM image I found",
    "Stolen photo alert: someone used our lab's image on their page without credit",
    "Pic from the Guardian's website, thought you'd all like it",
    "Image from a stock site, didn't pay for it but it's only for the newsletter",
    "Copied from the IOM3 members' area so everyone can read it",
)
add(
    "disclaimer",
    ASV_PERSONAL,
    "The IOM3 position on critical minerals is spot on and I'm proud to have helped shape it",
    "Sign up for the IOM3 schools challenge, I'm proud to run it",
    "As a trustee I can say IOM3 is in great shape. Join us.",
    "Support the IOM3 appeal for the benevolent fund today",
    "Proud to speak on behalf of the IOM3 packaging society at the expo",
    "Recommend IOM3 membership to every apprentice I meet. Join!",
)
add(
    "logo",
    UNREGISTERED,
    "Our new badge design uses the IOM3 logo, stickers out next week",
    "Profile picture with the IOM3 logo, because we're the official students page now",
    "Printed the IOM3 crest on the mugs for our branch stall",
    "Who needs permission? IOM3 logo on our banner",
    "Our podcast artwork uses the IOM3 trademark",
)
add(
    "brand_name",
    PUBLIC,
    "Best night of the year at the IoM3 ball",
    "Iom3 mentors are brilliant",
    "Thanks I.M3 for having us",
    "Proud member of IOM 3",
    "The iom3 lecture in Bath was great",
)
add(
    "disclosure",
    PUBLIC,
    "I volunteer for IOM3 and I've seen the exam board alter grades. I have evidence and I'm raising this publicly.",
    "I work at IOM3 and there's a cover up over the lab accident. Nobody internally will deal with it.",
    "As a committee member I have evidence of malpractice in the bursary decisions",
    "Whistle-blower: I work for an IOM3 partner lab and test results were doctored for accreditation",
)
add(
    "political",
    PUBLIC,
    "IOM3 members, vote Green on Thursday for the planet",
    "Don't vote Tory if you care about manufacturing, from an IOM3 committee member",
    "The Labour Party is the party of engineers. Vote for them at the general election.",
    "Reform UK will save the steelworks, vote for them",
)
add(
    "",
    PUBLIC,  # sarcasm and irony that read positive or negative and are neither complaint nor crisis
    "Oh great, another free IOM3 webinar. How will I ever cope with all this learning",
    "My supervisor says IOM3 membership is the best money I'll ever spend. He might be right.",
    "Love it when the IOM3 quiz has a question on my PhD topic and I still get it wrong",
    "Absolutely terrible at the IOM3 quiz, came last, had a brilliant time",
    "IOM3 ruined my weekend by being too interesting, now I'm reading about superalloys",
    "Scandalously good biscuits at the IOM3 committee meeting",
    "The IOM3 dinner menu was a crime against vegetables, but the company was great",
    "I'm boycotting sleep until I finish my IOM3 review report",
    "Honestly shocked at how much I enjoyed the standards webinar",
    "Worst decision ever: not joining IOM3 sooner",
)
add(
    "",
    PUBLIC,
    "Booked the IOM3 course on heat treatment for my whole team",
    "The IOM3 young members have a new podcast",
    "Catching the train to the IOM3 lecture in Newcastle",
    "Superb IOM3 panel on mining and communities",
    "The IOM3 student conference call for abstracts is out",
    "IOM3 member discount on standards saved us £200",
    "Excited for the IOM3 Materials Week activities",
    "The IOM3 fellows' dinner was a real honour",
    "Our school's team is through to the IOM3 final!",
    "IOM3 journal reviewers are so thorough, great feedback",
    "The IOM3 lecture theatre's new seats are comfy",
    "IOM3 graduate event in Manchester next month",
    "Just passed my IOM3 professional review!",
    "Sharing the IOM3 guide to writing a competence report",
    "New IOM3 branch starting in Aberdeen, come along",
    "IOM3 mentoring changed my career path",
    "The IOM3 bookshop has a sale on",
    "Watched the IOM3 lecture twice, so good",
    "Interesting IOM3 survey on salaries in materials",
    "Thanks IOM3 for the careers talk at our university",
)


def main() -> None:
    with OUT.open("w", encoding="utf-8") as fh:
        for text, labels, context in ROWS:
            fh.write(
                json.dumps({"text": text, "labels": labels.split(), "context": context}, ensure_ascii=False)
                + "\n"
            )
    print(f"wrote {len(ROWS)} labelled posts to {OUT}")


if __name__ == "__main__":
    main()
