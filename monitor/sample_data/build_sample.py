"""Write `mentions.jsonl`, the bundled sample: a week of IOM3 mentions, 16-22 November 2026.

The sample is a design document. Every post has a `note` naming the policy clause it exists
to show (or "chatter" for the ordinary traffic a week brings), so a reader can see what the
monitor ought to do with it. Deterministic: run it again and the file is byte-for-byte the same.

    python -m monitor.sample_data.build_sample
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

OUT = Path(__file__).with_name("mentions.jsonl")
WEEK_START = datetime(2026, 11, 16, tzinfo=UTC)
OFFICIAL = {"x": "iom3", "facebook": "iom3", "instagram": "iomthree", "linkedin": "iom3"}
# The pictures (build_images.py) are served by the demo from this reserved host (media_host.py).
PICTURES = "https://media.sample.invalid/"
OFFICIAL_REACH = {"x": 14200, "facebook": 9800, "instagram": 6100, "linkedin": 48300}


@dataclass
class Author:
    handle: str
    name: str
    reach: int


@dataclass
class Sample:
    rows: list[dict] = field(default_factory=list)
    counter: int = 0

    def post(
        self,
        platform: str,
        author: Author,
        when: datetime,
        text: str,
        note: str,
        *,
        reply_to: dict | None = None,
        media: list[dict] | None = None,
    ) -> dict:
        self.counter += 1
        pid = _platform_id(platform, self.counter)
        thread = reply_to["thread_id"] if reply_to else pid
        row = {
            "platform": platform,
            "platform_id": pid,
            "author_handle": author.handle,
            "author_name": author.name,
            "author_reach": author.reach,
            "url": _url(platform, author.handle, pid, thread),
            "text": text,
            "created_at": when.isoformat(),
            "thread_id": thread,
            "in_reply_to_id": reply_to["platform_id"] if reply_to else None,
            "is_official": author.handle == OFFICIAL[platform],
            "lang": "en",
            "note": note,
        }
        if media:  # only the posts with pictures carry the key: every other line stays as it was
            row["media"] = media
        self.rows.append(row)
        return row

    def official(self, platform: str, when: datetime, text: str, note: str, **kw) -> dict:
        who = Author(OFFICIAL[platform], "IOM3", OFFICIAL_REACH[platform])
        return self.post(platform, who, when, text, note, **kw)


def _platform_id(platform: str, n: int) -> str:
    return {
        "x": str(1858000000000000000 + n * 7919),
        "facebook": f"104729584412_{880000 + n}",
        "instagram": str(17900000000000000 + n * 131),
        "linkedin": f"urn:li:activity:{7260000000000000000 + n * 104729}",
    }[platform]


def _url(platform: str, handle: str, pid: str, thread: str) -> str:
    if platform == "x":
        return f"https://x.com/{handle}/status/{pid}"
    if platform == "facebook":
        post = thread.split("_")[-1]
        return f"https://www.facebook.com/iom3/posts/{post}" + (f"?comment_id={pid}" if pid != thread else "")
    if platform == "instagram":
        return f"https://www.instagram.com/p/{thread[-11:]}/"
    return f"https://www.linkedin.com/feed/update/{thread}/"


def _picture(name: str, alt: str) -> dict:
    return {"url": PICTURES + name, "kind": "image", "alt": alt}


def at(day: int, hhmm: str) -> datetime:
    """Day 0 is Monday 16 November 2026; times are UTC (which is London time in November)."""
    hours, minutes = map(int, hhmm.split(":"))
    return WEEK_START + timedelta(days=day, hours=hours, minutes=minutes)


# --- ordinary chatter: the bulk of any week ---------------------------------------------------
CHATTER_X = [
    "Great evening at the @IOM3 Young Members networking event in London, thanks to all who came!",
    "Just renewed my IOM3 membership, the CPD tracker is genuinely useful this year",
    "Materials World this month has a cracking piece on hydrogen embrittlement #MaterialsWorld",
    "Congratulations to everyone shortlisted for the IOM3 Awards 2026 \U0001f3c6",
    "Anyone going to the IOM3 lecture on critical minerals on Thursday? Saving seats near the back",
    "Chartered Engineer interview done via IOM3! Relieved and very happy \U0001f389",
    "Brilliant webinar from IOM3 on additive manufacturing qualification, slides are worth a look",
    "Reading the IOM3 report on steel decarbonisation on the train, solid evidence base",
    "@iom3 the schools outreach kit was a hit with my Year 9 class, thank you",
    "Our lab's poster won a prize at the IOM3 Sustainable Materials conference \U0001f64c",
    "IOM3 careers fair tomorrow, bring CVs and questions #IOM3",
    "Nice to see the IOM3 journal going open access for the composites special issue",
    "Finally met my IOM3 mentor in person today. Invaluable advice on going chartered",
    "Thread on why corrosion costs the UK billions, inspired by last night's IOM3 talk \U0001f9f5",
    "IOM3 Packaging Society gala dinner tickets are out, see you there",
    "Grateful to IOM3 for the travel bursary to present in Gothenburg",
    "Looking forward to the IOM3 Mining Technology Division AGM next week",
    "The IOM3 Materials Week events map is up, loads near Sheffield this year",
    "Good turnout at the IOM3 Wood Technology Society site visit, timber frames are the future",
    "Signed up for the IOM3 introduction to failure analysis course, any tips?",
    "IOM3 podcast episode on recycling lithium batteries was excellent on the commute",
    "Shout out to the IOM3 volunteers who ran the schools' bridge-building challenge today",
    "Just got my IOM3 Fellowship certificate in the post! Chuffed",
    "Interesting panel at IOM3 about skills shortages in mining engineering",
    "Does anyone know if IOM3 membership counts towards the EngTech application?",
    "@iom3 loving the new member magazine layout",
    "IOM3 Ceramics Society annual lecture was packed, great questions from students",
    "Materials science is a cracking career, come find out at the IOM3 stand #IOM3",
    "Ten years an IOM3 member today. Still learning something every month",
    "Cheers to the IOM3 Local Society in Birmingham for a friendly quiz night",
    "IOM3's Engineering a Better World series keeps getting better",
    "Writing up my notes from the IOM3 polymer recycling seminar, lots to think about",
    "Delighted our graduate scheme is now accredited by IOM3",
    "That IOM3 keynote on circular economy metals was the best talk of the week",
    "IOM3 student membership is free for first years, tell your friends",
    "The IOM3 library answered my obscure standards question within a day, amazing",
]
CHATTER_FACEBOOK = [
    "Lovely photos from the IOM3 awards dinner, my dad is in the third one!",
    "Will the IOM3 Christmas lecture be streamed this year? Can't make it to London",
    "Thank you IOM3 for supporting the Sheffield schools science day, the kids loved it",
    "Shared with my engineering group, great article on graphene in Materials World",
    "So proud of my daughter receiving her IOM3 student prize today",
    "Is there parking near the IOM3 offices for the Friday event?",
    "Great to see local societies getting some love on this page",
    "Our WI had a talk from an IOM3 volunteer on the history of Sheffield steel, fascinating",
    "Does IOM3 run anything for career changers? Asking for my husband",
    "Fantastic day out at the IOM3 open day, thanks to the lovely volunteers",
    "We used the IOM3 classroom resources for our STEM club, highly recommend",
    "Beautiful photo of the cutlery collection, is it on display anywhere?",
    "Happy to see IOM3 celebrating apprentices, they never get enough credit",
    "Congratulations to all the new Fellows!",
    "Signed up the whole department for the IOM3 webinar on Thursday",
    "Brilliant work as always, keep it up IOM3",
    "Where can I buy the IOM3 history book mentioned in the post?",
    "My grandad was a member of the Institute of Metals back in the 60s, lovely to see it continue",
    "Thanks for sharing, the timelapse of the furnace rebuild is mesmerising",
    "Is the Materials World app still going? Can't find it on my new phone",
    "Any volunteers needed for the Big Bang Fair stand? Happy to help",
    "Great turnout last night, thanks for organising",
    "Who designed the new awards trophies? They're stunning",
    "Looking forward to the new year programme",
]
CHATTER_INSTAGRAM = [
    "So much fun at the IOM3 student day \U0001f60d #IOM3 #materialsscience",
    "Microstructure of the week, inspired by the IOM3 metallography comp \U0001f52c #IOM3",
    "Prize day!! Thank you IOM3 \U0001f3c6\u2728",
    "Lab coat selfie before the IOM3 poster session \U0001f97c",
    "The IOM3 awards venue was gorgeous tonight \U0001f31f",
    "Women in Materials breakfast was so inspiring \U0001f4aa #IOM3 #womeninSTEM",
    "Cutaway of a turbine blade at the IOM3 exhibition, look at those cooling channels",
    "Field trip to the quarry with the IOM3 students group \u26cf\ufe0f",
    "Materials nerd and proud, new IOM3 tote bag arrived \U0001f6cd\ufe0f",
    "Beautiful fracture surface from my PhD, shared for #IOM3 image competition",
    "Ceramics workshop with the IOM3 team, I made a (wonky) bowl \U0001f923",
    "Graduation today, next stop IOM3 graduate membership \U0001f393",
    "Timber architecture walk with the IOM3 Wood Tech crew \U0001f332",
    "Sunrise over the mine site, grateful for the IOM3 bursary that got me here",
    "Backstage at the IOM3 lecture theatre \U0001f3a4",
    "Smelting demo at the IOM3 family day \U0001f525\U0001f525",
]
CHATTER_LINKEDIN = [
    "Delighted to share that I have been elected a Fellow of IOM3. Thank you to my nominators "
    "and to the colleagues who have supported my work on corrosion-resistant alloys.",
    "Key takeaways from the IOM3 Sustainable Materials conference: design for disassembly, "
    "data on embodied carbon, and closer links between academia and industry.",
    "Proud that our graduate programme has received IOM3 accreditation. A big step for our "
    "early careers engineers.",
    "We are hiring a materials engineer in Derby. IOM3 members particularly welcome to apply.",
    "Excellent IOM3 webinar on critical raw materials today. The supply chain mapping was eye-opening.",
    "After twelve years in the sector I have become a Chartered Engineer through IOM3. The "
    "mentoring scheme made all the difference.",
    "Pleased to have chaired a session at the IOM3 Composites conference. Thank you to all "
    "speakers for such high quality presentations.",
    "IOM3's new report on skills gaps in mining should be read by every HR director in the sector.",
    "Congratulations to our team on winning the IOM3 Sir Robert Hadfield award.",
    "Reflections on volunteering with IOM3 for five years: the network you build is worth "
    "more than any course.",
    "Attending the IOM3 Materials Week launch tomorrow. Let me know if you are going.",
    "Our paper on biodegradable packaging films is out in an IOM3 journal, open access.",
    "Fantastic evening at the IOM3 Premier Awards. Inspiring to see so much talent.",
    "Proud to support the IOM3 schools programme as a STEM ambassador this year.",
    "IOM3's Engineering Council registration support is superb. Thank you to the professional "
    "development team.",
    "Sharing the IOM3 position statement on materials for net zero. Worth ten minutes of your time.",
    "Honoured to join the IOM3 Mining Technology Division board.",
    "Great discussion on hydrogen infrastructure materials at the IOM3 London branch.",
]
PUBLIC_X = [
    Author("metallurgy_mo", "Mo Hussain", 1240),
    Author("sarah_makes_things", "Sarah Pike", 530),
    Author("corrosion_kate", "Kate Ng", 2890),
    Author("DrTomBrewer", "Dr Tom Brewer", 6120),
    Author("phd_polymers", "Lena Schmidt", 410),
    Author("GlasgowEng", "Callum Reid", 870),
    Author("minerals_matt", "Matt O'Brien", 1530),
    Author("ceramicist_jo", "Jo Adeyemi", 760),
    Author("weld_wizard", "Gary Mills", 350),
    Author("steel_sophie", "Sophie Lam", 2210),
]
PUBLIC_FB = [
    Author("linda.howarth.52", "Linda Howarth", 310),
    Author("peter.wainwright", "Peter Wainwright", 220),
    Author("janet.okoro", "Janet Okoro", 480),
    Author("david.kershaw.9", "David Kershaw", 150),
    Author("amy.t.lewis", "Amy Lewis", 640),
]
PUBLIC_IG = [
    Author("ellie.studies.materials", "Ellie", 1820),
    Author("grainboundary_gabe", "Gabe", 990),
    Author("labcoat.lucy", "Lucy", 2430),
    Author("minerals.and.more", "Ade", 3100),
]
PUBLIC_LI = [
    Author("hannah-price-materials", "Hannah Price", 2300),
    Author("oliver-grant-ceng", "Oliver Grant CEng", 4100),
    Author("mei-chen-phd", "Dr Mei Chen", 3700),
    Author("sam-okonkwo", "Sam Okonkwo", 1900),
]


COMMITTEE_POSTS = [
    (
        "x",
        Author("IOM3_YMC", "IOM3 Young Members", 2600),
        "Young Members pub quiz is back! 3 December, "
        "London. Teams of four, sign up via the IOM3 events page #IOM3",
    ),
    (
        "x",
        Author("IOM3_YMC", "IOM3 Young Members", 2600),
        "Our CV clinic for graduates is tomorrow evening online, bring a draft and a coffee",
    ),
    (
        "x",
        Author("IOM3_YMC", "IOM3 Young Members", 2600),
        "Thank you to the 60 of you who came to the lab tour at Imperial. Photos to follow!",
    ),
    (
        "x",
        Author("IOM3_YMC", "IOM3 Young Members", 2600),
        "Nominations for the Young Persons' Lecture "
        "Competition open in January. Start thinking about your topic now",
    ),
    (
        "x",
        Author("IOM3Packaging", "IOM3 Packaging Society", 3900),
        "Packaging Society gala dinner: 40 tickets left. Sustainability award winners announced on the night",
    ),
    (
        "x",
        Author("IOM3Packaging", "IOM3 Packaging Society", 3900),
        "Our latest briefing on recyclable flexible packaging is free for IOM3 members",
    ),
    (
        "x",
        Author("IOM3Packaging", "IOM3 Packaging Society", 3900),
        "Great to see so many brand owners at yesterday's IOM3 packaging design workshop",
    ),
    (
        "instagram",
        Author("iom3_wim", "IOM3 Women in Materials", 3300),
        "Meet our committee! This week: "
        "Aisha, corrosion scientist and tea enthusiast \u2615 #IOM3 #womeninSTEM",
    ),
    (
        "instagram",
        Author("iom3_wim", "IOM3 Women in Materials", 3300),
        "Mentoring circles start in January, applications open now (link in bio)",
    ),
    (
        "instagram",
        Author("iom3_wim", "IOM3 Women in Materials", 3300),
        "Breakfast networking this Friday, 8am, IOM3 London \U0001f950",
    ),
    (
        "linkedin",
        Author("iom3-wood-technology-society", "IOM3 Wood Technology Society", 2100),
        "Our "
        "annual timber engineering lecture will be given by Prof Ana Duarte on cross-laminated timber "
        "performance in fire. Free for IOM3 members.",
    ),
    (
        "linkedin",
        Author("iom3-wood-technology-society", "IOM3 Wood Technology Society", 2100),
        "Thank "
        "you to the volunteers who judged the student timber design competition. The standard was superb.",
    ),
    (
        "facebook",
        Author("SheffieldMetallurgicalAssoc", "Sheffield Metallurgical and Engineering Association", 1400),
        "Tonight's talk on crucible steel was standing room only. Thank you all.",
    ),
    (
        "facebook",
        Author("SheffieldMetallurgicalAssoc", "Sheffield Metallurgical and Engineering Association", 1400),
        "Reminder: subs for the Association are due in January. Joint IOM3 members get a discount.",
    ),
]
MORE_CHATTER_X = [
    "Booked on the IOM3 course on non-destructive testing, work is paying, winning",
    "Friday feeling: IOM3 journal accepted our paper on slag valorisation \U0001f973",
    "Can someone from IOM3 tell me if the Thursday lecture is hybrid?",
    "The IOM3 members' discount on the standards library saved me a fortune this week",
    "Started my IOM3 professional review application. Wish me luck",
    "IOM3 regional dinner in Newcastle was a delight, thanks organisers",
    "Good luck to all the IOM3 award nominees this week #IOM3",
    "Really enjoying the IOM3 Materials Week schools kit with my science club",
    "Did anyone record the IOM3 talk on rare earth recycling? Missed the end",
    "Following the IOM3 hydrogen series closely, the pipeline steels session was great",
    "IOM3 mentor call this morning, feeling very motivated",
    "Lovely to bump into old colleagues at the IOM3 Midlands branch meeting",
    "My first IOM3 event as a member and everyone was so welcoming",
    "The IOM3 graduate guide to chartership is clear and practical, recommend",
    "Presented our work on slurry rheology to the IOM3 Mineral Processing group today",
    "Re-reading the IOM3 position on critical minerals, very balanced",
    "Congratulations to the IOM3 Fellows announced this week, well deserved",
    "IOM3 Ceramics conference abstracts due soon, get writing",
    "Huge thanks to IOM3 for the student travel grant, off to the conference in Leoben",
    "IOM3 lecture recording now on YouTube, the Q&A is worth watching",
    "Coffee, Materials World, quiet Saturday. Perfect",
    "Two IOM3 events in one week, my diary is full of metallurgy",
    "IOM3 webinar on hydrogen embrittlement answered exactly what we were stuck on at work",
    "Just voted in the IOM3 council elections, takes two minutes, do it",
    "Anyone else on the IOM3 Sheffield steel walk on Sunday?",
    "Thanks IOM3 for the shout-out for our outreach day!",
    "Bought a ticket for the IOM3 Christmas lecture for my nephew, he's 12 and obsessed with rockets",
    "Best thing about IOM3: the people. Lovely branch dinner tonight",
]
MORE_CHATTER_LI = [
    "Thank you to IOM3 for inviting me to speak on recycled aluminium supply chains. A lively, "
    "knowledgeable audience.",
    "Pleased to be joining the IOM3 Surface Engineering Division committee from January.",
    "Our apprentices visited IOM3 today to learn about professional registration. Brilliant session.",
    "Grateful to the IOM3 library team for tracking down a 1950s British Standard for our project.",
    "If you are an early careers engineer, IOM3's mentoring scheme is one of the best decisions you "
    "can make.",
    "Fascinating IOM3 roundtable on critical minerals and national security this morning.",
    "Delighted to have passed my IOM3 professional review interview. Thank you to my mentor.",
    "Great to see IOM3 championing technician careers with the new EngTech pathway.",
    "The IOM3 Materials Week outreach programme reached over 10,000 pupils this year. Fantastic work.",
    "Sharing our recruitment drive for materials scientists; we value IOM3 membership highly.",
    "A reminder that IOM3 runs free CPD webinars for members every month. Recordings are online.",
    "Honoured to receive the IOM3 Silver Medal. Thank you to my team, past and present.",
    "Our company has signed up as an IOM3 corporate partner. Looking forward to working together.",
    "Great to present at IOM3's London Materials Society on lightweighting in rail.",
]
MORE_CHATTER_FB = [
    "My son did the IOM3 bridge challenge and now wants to be an engineer, thank you!",
    "Will there be an IOM3 stall at the Sheffield Christmas market again?",
    "Lovely write up in the local paper about the IOM3 volunteers",
    "What time does the lecture finish? Need to sort a babysitter",
    "Thank you for a smashing family day, the casting demo was the highlight",
    "Such a friendly bunch at the branch meeting, will definitely come again",
    "Do you still do the student membership discount?",
    "Shared this with my college group, thank you",
    "Lovely to see the old photos of the Institute, brings back memories",
    "Is the Christmas lecture suitable for a 9 year old?",
    "Great news about the new venue, more space for everyone",
]
MORE_CHATTER_IG = [
    "Poster printed, nerves on \U0001f62c see you at the IOM3 conference",
    "Crystal structure earrings for the IOM3 awards night \U0001f48e",
    "New lab, new year, same love for materials \U0001f9ea #IOM3",
    "Saturday open day vibes at the IOM3 stand \u2728",
    "Look at this weld bead from the IOM3 workshop \U0001f525",
    "Proud of our team at the IOM3 student competition \U0001f64c",
]
RETWEETS = [
    "RT @iom3: Nominations for the IOM3 Awards 2026 close Friday. Who has inspired you this year? #IOM3",
    "RT @iom3: Missed our webinar on battery recycling? The recording is now on the IOM3 website.",
]
THANKS = [
    "Thank you for coming, we're so glad you enjoyed it!",
    "Thanks for the kind words, we'll pass them on to the volunteers.",
    "Great question: yes, it will be recorded and shared with members.",
    "Congratulations, well deserved!",
    "Thank you for sharing this.",
]


def build() -> list[dict]:
    rng = random.Random(20261116)
    s = Sample()

    # Official posts through the week: the threads everything else hangs off.
    fb_fees = s.official(
        "facebook",
        at(0, "09:00"),
        "Membership renewals for 2027 are open. Renew online "
        "through My IOM3 before 31 December to keep your benefits.",
        "official post: renewal",
    )
    x_awards = s.official(
        "x",
        at(0, "11:00"),
        "Nominations for the IOM3 Awards 2026 close Friday. Who has inspired you this year? #IOM3",
        "official post: awards",
    )
    li_report = s.official(
        "linkedin",
        at(1, "08:30"),
        "Our new report on skills in the mining workforce is "
        "out today, with recommendations for employers and government.",
        "official post: report",
    )
    ig_day = s.official(
        "instagram",
        at(1, "12:00"),
        "What a day at our student conference! Thank you to all 300 of you \U0001f499 #IOM3",
        "official post: student day",
    )
    x_webinar = s.official(
        "x",
        at(2, "10:00"),
        "Missed our webinar on battery recycling? The recording is now on the IOM3 website.",
        "official post: webinar",
    )
    fb_event = s.official(
        "facebook",
        at(2, "15:00"),
        "Our Christmas lecture on 10 December is moving to a larger venue; all tickets remain valid.",
        "official post: event change",
    )
    x_award = s.official(
        "x",
        at(4, "08:00"),
        "We are pleased to announce that the 2026 Mining Futures Award is sponsored by Kestrel Minerals plc.",
        "official post: sponsorship (crisis root)",
    )
    s.official(
        "linkedin",
        at(5, "09:00"),
        "Congratulations to this year's new Fellows of IOM3.",
        "official post: fellows",
    )
    s.official(
        "instagram",
        at(6, "10:00"),
        "Sunday reading: the December Materials World is out now.",
        "official post: magazine",
    )

    # Chatter, spread across waking hours of the week.
    threads = {
        "x": [x_awards, x_webinar],
        "facebook": [fb_event],
        "instagram": [ig_day],
        "linkedin": [li_report],
    }
    pools = {
        "x": (CHATTER_X, PUBLIC_X),
        "facebook": (CHATTER_FACEBOOK, PUBLIC_FB),
        "instagram": (CHATTER_INSTAGRAM, PUBLIC_IG),
        "linkedin": (CHATTER_LINKEDIN, PUBLIC_LI),
    }
    for platform, (texts, authors) in pools.items():
        for i, text in enumerate(texts):
            day = i * 7 // len(texts)
            when = at(day, f"{rng.randint(7, 21):02d}:{rng.randint(0, 59):02d}")
            reply_to = rng.choice(threads[platform]) if rng.random() < 0.3 else None
            if reply_to and when <= datetime.fromisoformat(reply_to["created_at"]):
                reply_to = None
            s.post(platform, rng.choice(authors), when, text, "chatter", reply_to=reply_to)

    # More ordinary traffic: committee accounts, more chatter, retweets, and IOM3 thanking people.
    for i, (platform, author, text) in enumerate(COMMITTEE_POSTS):
        when = at(i * 6 // len(COMMITTEE_POSTS), f"{rng.randint(8, 19):02d}:{rng.randint(0, 59):02d}")
        s.post(platform, author, when, text, "chatter: ASV committee account activity")
    more = {
        "x": (MORE_CHATTER_X, PUBLIC_X),
        "linkedin": (MORE_CHATTER_LI, PUBLIC_LI),
        "facebook": (MORE_CHATTER_FB, PUBLIC_FB),
        "instagram": (MORE_CHATTER_IG, PUBLIC_IG),
    }
    chatter_rows = []
    for platform, (texts, authors) in more.items():
        for i, text in enumerate(texts):
            when = at(i * 7 // len(texts), f"{rng.randint(7, 22):02d}:{rng.randint(0, 59):02d}")
            chatter_rows.append(s.post(platform, rng.choice(authors), when, text, "chatter"))
    for i in range(24):
        original = RETWEETS[i % 2]
        day = 0 if i % 2 == 0 else 2
        when = at(day, "11:30") + timedelta(minutes=17 * i)
        author = Author(f"member_{i + 100}", f"Member {i + 100}", rng.randint(20, 900))
        s.post("x", author, when, original, "chatter: retweet of an official post")
    for i, row in enumerate(rng.sample(chatter_rows, 15)):
        platform = row["platform"]
        when = datetime.fromisoformat(row["created_at"]) + timedelta(minutes=rng.randint(20, 240))
        s.official(platform, when, THANKS[i % len(THANKS)], "official reply to chatter", reply_to=row)

    # Complaint handling: some answered by IOM3, some not.
    c = "complaint handling"
    linda, peter, janet, david = PUBLIC_FB[:4]
    k1 = s.post(
        "facebook",
        linda,
        at(0, "10:12"),
        "I've tried to renew three times and the payment page "
        "keeps failing. Still waiting for a reply to my email from last week. Not good enough.",
        f"{c}: answered by an official reply",
        reply_to=fb_fees,
    )
    s.official(
        "facebook",
        at(0, "11:05"),
        "Sorry about this, Linda. We've messaged you privately and our membership team will call you today.",
        f"{c}: the official reply",
        reply_to=k1,
    )
    s.post(
        "facebook",
        peter,
        at(0, "13:40"),
        "Same problem here, the renewal page is broken and I can't log in. Unacceptable for what we pay.",
        f"{c}: unanswered complaint in an answered thread",
        reply_to=fb_fees,
    )
    s.post(
        "facebook",
        janet,
        at(1, "19:22"),
        "Why is it so hard to cancel my direct debit? Nobody "
        "answers the phone. I want a refund for the month I was charged twice.",
        f"{c}: unanswered",
        reply_to=fb_fees,
    )
    s.post(
        "facebook",
        david,
        at(2, "16:10"),
        "Moving venue AGAIN? I booked a hotel for the old one. "
        "Shambles. Who is paying for my cancellation fee?",
        f"{c}: unanswered",
        reply_to=fb_event,
    )
    s.post(
        "facebook",
        PUBLIC_FB[4],
        at(2, "16:45"),
        "Agree with David, really disappointed with how this has been handled.",
        f"{c}: pile-in on the same thread",
        reply_to=fb_event,
    )
    mo, sarah, kate = PUBLIC_X[0], PUBLIC_X[1], PUBLIC_X[2]
    k2 = s.post(
        "x",
        mo,
        at(1, "09:15"),
        "@iom3 my journal access has not been working for two weeks and "
        "no response to my support ticket. What am I paying for?",
        f"{c}: answered",
    )
    s.official(
        "x",
        at(1, "09:52"),
        "@metallurgy_mo Sorry to hear this Mo, please DM us your member number and we'll fix it today.",
        f"{c}: the official reply",
        reply_to=k2,
    )
    s.post(
        "x",
        sarah,
        at(2, "18:30"),
        "@iom3 my CPD certificate never arrived and I'm ignored on email. Really poor service.",
        f"{c}: unanswered",
    )
    s.post(
        "x",
        kate,
        at(3, "07:45"),
        "Is it just me or is the IOM3 website not working again? Can't log in to book the lecture",
        f"{c}: unanswered, question",
    )
    s.post(
        "x",
        PUBLIC_X[6],
        at(3, "12:02"),
        "@iom3 charged twice for the conference dinner, emailed "
        "finance twice, still no reply. Sort it out please",
        f"{c}: unanswered",
    )
    k3 = s.post(
        "instagram",
        PUBLIC_IG[1],
        at(1, "13:30"),
        "Shame the student day ran out of lunches "
        "by 12, really disappointing for those of us who travelled 4 hours",
        f"{c}: answered",
        reply_to=ig_day,
    )
    s.official(
        "instagram",
        at(1, "14:10"),
        "@grainboundary_gabe we're so sorry, Gabe. We got the numbers "
        "wrong and we'll put it right next year.",
        f"{c}: the official reply",
        reply_to=k3,
    )
    s.post(
        "instagram",
        PUBLIC_IG[3],
        at(3, "20:05"),
        "Ordered the IOM3 tote bag a month ago, never arrived and no response to my messages \U0001f621",
        f"{c}: unanswered",
    )
    s.post(
        "linkedin",
        PUBLIC_LI[3],
        at(2, "11:20"),
        "Disappointed that the IOM3 accreditation "
        "application portal has been broken for a week. Our deadline is Friday.",
        f"{c}: unanswered",
    )
    s.post(
        "linkedin",
        PUBLIC_LI[1],
        at(1, "10:00"),
        "A thorough report, though I'd have liked more on "
        "apprenticeships. Hope the next edition covers them.",
        "hard negative: constructive criticism",
        reply_to=li_report,
    )
    s.post(
        "x",
        PUBLIC_X[4],
        at(4, "16:00"),
        "No complaints at all about the IOM3 webinar, best one I've attended this year",
        "hard negative: praise that says 'complaints'",
        reply_to=x_webinar,
    )

    # Crisis: a pile-on about the sponsorship on Friday, high-reach accounts joining.
    crisis = "complaint handling (crisis) / libel: pile-on"
    piles = [
        (
            Author("ClimateWatchUK", "Climate Watch UK", 184000),
            "Kestrel Minerals caused the Rio Vermelho tailings disaster last year. "
            "@iom3 taking their money for a 'Mining Futures' award is a scandal.",
        ),
        (
            Author("minewatch_ngo", "MineWatch", 52300),
            "Shameful greenwashing by @iom3. Members should "
            "boycott the awards until this sponsorship is dropped.",
        ),
        (
            Author("eng_ethics", "Engineering Ethics Forum", 23100),
            "A professional body that accepts "
            "sponsorship from Kestrel has lost its way. Who signed this off at @iom3? They should resign.",
        ),
        (
            Author("Prof_Ruth_Eyre", "Prof Ruth Eyre FREng", 31800),
            "I will be returning my IOM3 medal if this sponsorship stands. Deeply disappointed.",
        ),
        (
            Author("GuardianEnv_Jess", "Jess Holloway", 67400),
            "Interesting: @iom3 partners with Kestrel "
            "weeks after the inquiry report. Anyone at IOM3 want to talk?",
        ),
    ]
    angry_public = [
        "Boycott the IOM3 awards.",
        "Cancelling my IOM3 membership today. Disgraceful.",
        "@iom3 drop Kestrel now. This is a scandal.",
        "How is this acceptable @iom3?",
        "Embarrassed to be an IOM3 member this morning.",
        "Unbelievable. Greenwashing pure and simple.",
        "Who at @iom3 thought this was a good idea?",
        "Tailings dams kill people. Shame on you @iom3",
        "IOM3 just lost a member. Awful decision.",
        "Not renewing. This is a disgrace @iom3",
        "The awards committee should resign over this.",
        "Absolutely shocking from a professional body.",
        "Boycott. Simple as that. #IOM3",
        "Is nobody at IOM3 reading the news?",
        "Terrible judgement @iom3, reverse it",
        "My whole department is boycotting the awards dinner",
        "Scandal. Members deserve an explanation @iom3",
        "I expected better from IOM3. Appalling.",
        "Kestrel money = blood money. Drop it @iom3",
        "Sign the open letter asking @iom3 to drop Kestrel",
        "This sponsorship is a breach of IOM3's own ethics code",
        "Another reason I left IOM3 years ago",
        "@iom3 silence is not an answer",
        "Lawsuit pending against Kestrel and IOM3 takes their cash?!",
        "The irony of a Mining Futures award from Kestrel",
        "RT if you think @iom3 should drop Kestrel",
        "Emailed my IOM3 branch chair to complain about this",
        "Unacceptable. Returning my fellowship.",
        "So IOM3 values are for sale now",
        "Reporting this to the Charity Commission",
        "Every student member should see this thread",
        "Dreadful. Just dreadful, @iom3",
    ]
    t0 = at(4, "08:20")
    for i, (author, text) in enumerate(piles):
        s.post("x", author, t0 + timedelta(minutes=9 * i), text, crisis + " (high reach)", reply_to=x_award)
    handles = [
        f"{w}{n}"
        for w, n in zip(
            ["mat_eng", "jpgeo", "rockhound", "beth_c", "alloy_al", "tunnels_tim", "quarry_q", "lucy_geol"]
            * 4,
            range(11, 43),
            strict=False,
        )
    ]
    for i, text in enumerate(angry_public):
        author = Author(handles[i], handles[i].replace("_", " ").title(), rng.randint(40, 2600))
        when = t0 + timedelta(minutes=50 + i * rng.randint(3, 7))
        s.post("x", author, when, text, crisis, reply_to=x_award)
    s.official(
        "x",
        at(4, "14:30"),
        "We have heard your concerns about the Mining Futures Award. We are "
        "reviewing the sponsorship and will update members by Monday.",
        crisis + ": official holding reply",
        reply_to=x_award,
    )

    # Libel: accusations aimed at named people or organisations (and one that only quotes one).
    libel = "libel: accusation at a named person or organisation"
    s.post(
        "facebook",
        Author("kevin.d.marsh", "Kevin Marsh", 260),
        at(3, "21:40"),
        "Everyone should know "
        "that Alan Pryce, treasurer of the IOM3 Tees Valley branch, is a fraud who stole the conference "
        "money. He is a liar and a thief.",
        libel,
        reply_to=fb_event,
    )
    s.post(
        "x",
        Author("truth_in_mining", "Truth in Mining", 3400),
        at(4, "11:15"),
        "Kestrel Minerals bribed the inspectors and IOM3's president knows it. Corrupt, the lot of them.",
        libel,
        reply_to=x_award,
    )
    s.post(
        "linkedin",
        Author("g-harlow", "Graham Harlow", 880),
        at(2, "14:00"),
        "Dr Neil Foster of IOM3's "
        "accreditation panel faked his own qualifications. Everyone in the industry knows he is a "
        "con man.",
        libel,
    )
    s.post(
        "x",
        Author("SWalesTimes", "South Wales Times", 41000),
        at(5, "07:30"),
        "Campaigners claim "
        "Kestrel Minerals 'lied to regulators'; the company denies wrongdoing. IOM3 says it is "
        "reviewing the award.",
        "hard negative: news reporting an accusation",
    )
    s.post(
        "x",
        PUBLIC_X[3],
        at(5, "09:10"),
        "For the record, I don't think anyone at IOM3 is corrupt, just badly advised on this one.",
        "hard negative: negated accusation",
    )

    # Press approaching an ASV (personal accounts).
    press = "press: journalist asks an ASV for comment"
    helen = Author("DrHelenCarter", "Dr Helen Carter", 8900)
    s.post(
        "x",
        Author("JessHolloway_Guardian", "Jess Holloway", 67400),
        at(4, "12:40"),
        "@DrHelenCarter "
        "you're an IOM3 trustee: I'm writing a story on the Kestrel sponsorship for tomorrow's paper. "
        "Could you comment for the piece? DMs open.",
        press,
    )
    s.post(
        "linkedin",
        Author("tom-reeve-theengineer", "Tom Reeve, The Engineer", 12800),
        at(5, "10:20"),
        "Raj, as an IOM3 mentor would you be willing to speak to me on the record about the awards row "
        "for an article in The Engineer?",
        press,
    )
    s.post(
        "x",
        helen,
        at(4, "13:05"),
        "I've been asked by a journalist about the IOM3 award. I've "
        "passed it to the Communications team, which is the right thing to do.",
        "hard negative: ASV correctly refers the press",
    )

    # Discrimination and harassment.
    harass = "discrimination and harassment"
    s.post(
        "instagram",
        Author("real_engineer_77", "real_engineer_77", 130),
        at(2, "20:30"),
        "Women in Materials lol. Girls can't do engineering, go back to the kitchen \U0001f602 @iom3_wim",
        harass + ": sex",
    )
    s.post(
        "x",
        Author("banter_bloke99", "Dave", 210),
        at(3, "22:15"),
        "@IOM3_YMC your new chair is a useless idiot, everyone laughs at her. Quit before we make you.",
        harass + ": bullying",
    )
    s.post(
        "facebook",
        Author("ron.pilkington", "Ron Pilkington", 95),
        at(5, "17:50"),
        "Typical, another "
        "foreigner winning the award. These people shouldn't be allowed in British institutions.",
        harass + ": race",
    )
    s.post(
        "x",
        Author("older_and_wiser", "Bill", 400),
        at(1, "21:00"),
        "Graduate awards are wasted on "
        "snowflakes who can't handle real work. Too old to care what IOM3 thinks.",
        harass + ": age, borderline",
    )
    s.post(
        "x",
        PUBLIC_X[8],
        at(3, "17:20"),
        "That IOM3 failure analysis course absolutely killed it, brutal exam but I smashed it",
        "hard negative: strong words in praise",
    )

    # Safeguarding: a person at risk, under-18s, grooming cues.
    safe = "protection and intervention / under 18s"
    s.post(
        "instagram",
        Author("maisie.k.2010", "Maisie", 85),
        at(2, "23:40"),
        "Didn't get picked for "
        "the IOM3 schools final. Everyone at school hates me anyway. I don't want to be here anymore.",
        safe + ": young person at risk of harm",
        reply_to=ig_day,
    )
    s.post(
        "instagram",
        Author("mentor_mike_uk", "Mike", 40),
        at(3, "16:00"),
        "Hey @maisie.k.2010 you're "
        "clever for 15, DM me and we can meet up without telling your parents, I can help you with "
        "the IOM3 competition",
        safe + ": grooming cue",
    )
    s.post(
        "facebook",
        Author("sue.teacher.bolton", "Sue Barnes", 380),
        at(1, "17:30"),
        "One of our "
        "Year 10 students from the IOM3 bridge challenge photo is being bullied about it online. "
        "Can the photo be taken down please?",
        safe + ": child identified in a photo",
    )

    # Public interest disclosure.
    pid = "public interest disclosure"
    s.post(
        "facebook",
        Author("concerned.volunteer.iom3", "A concerned volunteer", 60),
        at(3, "12:30"),
        "I volunteer on an IOM3 committee and I have evidence that accreditation visit reports were "
        "altered to pass a university that failed. I am raising this publicly because nobody "
        "internally acted.",
        pid,
        reply_to=fb_event,
    )

    # Confidentiality: internal, embargoed, financial, member data.
    conf = "confidentiality"
    ymc = Author("IOM3_YMC", "IOM3 Young Members", 2600)
    s.post(
        "x",
        Author("insider_ioms", "Chris", 730),
        at(2, "19:10"),
        "Heard at council today: IOM3 is "
        "merging with another institution, announcement embargoed until 1 December. You heard it here "
        "first!",
        conf + ": embargoed news",
    )
    s.post(
        "linkedin",
        Author("b-hartley-volunteer", "Ben Hartley", 1100),
        at(3, "09:40"),
        "From the "
        "internal board papers: IOM3 forecasts a GBP 1.2m deficit next year and plans to close two "
        "regional offices. Internal only, but members deserve to know.",
        conf + ": financial, internal",
    )
    s.post(
        "x",
        ymc,
        at(5, "15:00"),
        "Attaching the spreadsheet of our members' emails and phone numbers "
        "so everyone can arrange lifts to the gala!",
        conf + ": member data by a committee account",
    )

    # Political neutrality and the Lobbying Act.
    pol = "political neutrality / Lobbying Act"
    s.post(
        "x",
        Author("IOM3Packaging", "IOM3 Packaging Society", 3900),
        at(1, "18:00"),
        "As a committee "
        "we say: vote Green at the by-election on Thursday, the only party serious about packaging "
        "waste.",
        pol + ": committee account tells people how to vote",
    )
    s.post(
        "x",
        helen,
        at(3, "08:10"),
        "As an IOM3 trustee, I urge every member to vote Conservative. "
        "Labour will wreck British manufacturing.",
        pol + ": trustee on personal account",
    )
    s.post(
        "linkedin",
        Author("iom3-wood-technology-society", "IOM3 Wood Technology Society", 2100),
        at(5, "11:00"),
        "We welcome the government's consultation on timber in construction and have "
        "submitted evidence on fire performance.",
        "hard negative: policy view, no party",
    )

    # Presentation: the brand name.
    brand = "presentation: brand name misspelt"
    s.post(
        "x",
        PUBLIC_X[5],
        at(0, "15:30"),
        "Looking forward to the IoM3 lecture in Glasgow on Thursday",
        brand + ": IoM3",
    )
    s.post(
        "linkedin",
        Author("iom3-wood-technology-society", "IOM3 Wood Technology Society", 2100),
        at(1, "12:15"),
        "Join the I.M3 Wood Technology Society for our winter site visit.",
        brand + ": I.M3 by a committee account",
    )
    s.post(
        "facebook",
        Author("SheffieldMetallurgicalAssoc", "Sheffield Metallurgical and Engineering Association", 1400),
        at(2, "10:30"),
        "Our next joint meeting with Iom3 is on steel recycling. All welcome.",
        brand + ": Iom3 by a committee account with no Comms access",
    )
    s.post(
        "instagram",
        Author("iom3_wim", "IOM3 Women in Materials", 3300),
        at(4, "18:00"),
        "Thank you to everyone at the IOM 3 Women in Materials breakfast \U0001f49c",
        brand + ": IOM 3",
    )
    s.post(
        "x",
        PUBLIC_X[9],
        at(6, "11:40"),
        "Details at https://www.iom3.org/events/iom3-lecture and ask events@iom3.org",
        "hard negative: IOM3 inside a URL and an address",
    )

    # Personal accounts and the disclaimer.
    disc = "personal accounts: disclaimer"
    s.post(
        "x",
        helen,
        at(0, "19:00"),
        "Proud of the IOM3 schools programme. Every engineering firm should back it. Join IOM3 today!",
        disc
        + ": ASV promotes IOM3 without a disclaimer; its picture link is broken (the demo shows the skip)",
        media=[_picture("schools-visit.jpg", "Pupils at the schools programme visit")],
    )
    s.post(
        "linkedin",
        Author("raj-patel-ceng", "Raj Patel CEng", 5200),
        at(1, "16:40"),
        "Why I mentor "
        "with IOM3, and why you should too. The views expressed here are my own and don't necessarily "
        "represent the positions, policies or opinions of IOM3.",
        "hard negative: correct disclaimer",
    )

    # Setting up accounts, logos and copyright.
    acct = "setting up accounts / logos and trademarks"
    s.post(
        "x",
        Author("IOM3_Scotland_Official", "IOM3 Scotland (Official)", 420),
        at(1, "11:00"),
        "Welcome to the new official IOM3 Scotland account! Follow for news from north of the border.",
        acct + ": IOM3-branded account not in the registry",
    )
    s.post(
        "instagram",
        Author("iom3students", "IOM3 Students", 960),
        at(2, "09:30"),
        "New profile picture with the IOM3 logo \U0001f60e Follow us for student events!",
        acct + ": unregistered account uses the logo (in the words and in the picture)",
        media=[_picture("students-profile.jpg", "IOM3 Students profile picture")],
    )
    s.post(
        "facebook",
        Author("SheffieldMetallurgicalAssoc", "Sheffield Metallurgical and Engineering Association", 1400),
        at(4, "19:30"),
        "Updated our cover photo with the IOM3 logo and crest.",
        acct + ": registered account not approved for the logo",
    )
    s.post(
        "instagram",
        Author("iom3_wim", "IOM3 Women in Materials", 3300),
        at(5, "13:00"),
        "Stunning image of a steel mill at dawn (found on Google) #IOM3",
        "copyright: reused image, no credit (the same picture as @IOM3_YMC's: a reuse cue in the audit)",
        media=[_picture("steel-mill-dawn.jpg", "A steel mill at dawn")],
    )
    s.post(
        "x",
        Author("IOM3_YMC", "IOM3 Young Members", 2600),
        at(5, "17:45"),
        "Sunrise over the steelworks on our site visit this morning, what a view",
        "images: the same picture as @iom3_wim's, smaller and recompressed (reused image, no logo)",
        media=[_picture("steel-mill-dawn-repost.jpg", "")],
    )

    # Logos in pictures (monitor/media/): the detector finds the stand-in logos (config/logos/).
    pics = "images / logos and trademarks"
    s.post(
        "facebook",
        Author("SheffieldMetallurgicalAssoc", "Sheffield Metallurgical and Engineering Association", 1400),
        at(3, "12:10"),
        "Steel recycling evening on 3 December: flyer attached, all welcome. Please share!",
        pics + ": a committee NOT approved for the logo puts the current logo on its event flyer (emailed)",
        media=[_picture("sheffield-flyer.jpg", "Event flyer: Steel recycling evening, 3 December")],
    )
    s.post(
        "x",
        Author("IOM3Packaging", "IOM3 Packaging Society", 3900),
        at(3, "16:20"),
        "Entries for the Packaging Awards night are open, poster below",
        pics + ": an approved committee still uses the retired logo (a gentler finding: digest and audit)",
        media=[_picture("packaging-awards.jpg", "Packaging Awards night poster")],
    )
    s.post(
        "instagram",
        Author("iom3_wim", "IOM3 Women in Materials", 3300),
        at(4, "08:15"),
        "Save the date: our next Women in Materials breakfast is in January",
        "hard negative (images): an approved committee with the current logo raises nothing",
        media=[_picture("wim-breakfast.jpg", "Women in Materials breakfast tile")],
    )
    s.post(
        "linkedin",
        Author("mei-chen-phd", "Dr Mei Chen", 3700),
        at(6, "15:30"),
        "Photo credit: IOM3 / Chris Wood, used with permission. A wonderful awards night.",
        "hard negative: image credited with permission",
    )
    return sorted(s.rows, key=lambda r: r["created_at"])


def main() -> None:
    rows = build()
    with OUT.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} mentions to {OUT}")


if __name__ == "__main__":
    main()
