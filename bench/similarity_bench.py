"""材料查重 benchmark (numbers, not assertions).

    .venv/bin/python bench/similarity_bench.py [--entries 300] [--years 10] [--chars 5000]

A year of `entries` 附件3 entries with `chars`-character texts, plus `years` earlier years' archives of
the same size (one 附件3 per org per year); 1 in 10 entries copies a paragraph from another entry
(this year or an archive), shuffled or lightly edited. Prints:
  1. fingerprinting + comparing each archive year once (one-off: later runs skip unchanged texts);
  2. a full run of the current year (every text hashed and compared with all others);
  3. the same run again with nothing changed (the incremental path);
  4. one new submission (the after-submit task body: hash one text, compare with everything);
  5. peak Python memory (tracemalloc) of a full re-compare of the year, and the process's max RSS;
  6. how many planted copies were found.
Uses a throw-away SQLite database (or DATABASE_URL)."""

import argparse
import random
import resource
import time
import tracemalloc

from _setup import setup


def build(entries, years, chars):
    from campaigns.services import create_campaign
    from organizations.models import Level, Organization
    from similarity import textgen
    from submissions.models import Entry

    school = Organization.objects.create(name="中共测试大学委员会", code="S", level=Level.SCHOOL,
                                         org_type="school_committee")
    orgs = Organization.objects.bulk_create([
        Organization(name=f"第{i + 1}学院党委", code=f"C{i}", level=Level.COLLEGE, org_type="college_committee",
                     parent=school, sort_order=i) for i in range(entries)])
    current = 2026
    campaigns = {y: create_campaign(y) for y in range(current - years, current + 1)}
    rng = random.Random(7)
    texts = {}
    seed = 0
    for y in campaigns:
        for org in orgs:
            seed += 1
            texts[(y, org.pk)] = textgen.text(seed, chars)
    planted = []
    keys = list(texts)
    for i, org in enumerate(orgs):
        if i % 10:
            continue
        src_key = rng.choice([k for k in keys if k[1] != org.pk])
        para = texts[src_key].split("\n")[rng.randrange(1, 10)]
        how = ("copy", "reorder", "edit")[(i // 10) % 3]
        if how == "reorder":
            sents = textgen.split_sentences(para)
            rng.shuffle(sents)
            para = "".join(sents)
        elif how == "edit":
            chars_ = list(para)
            for j in range(5, len(chars_), 30):
                chars_[j] = "某"
            para = "".join(chars_)
        paras = texts[(current, org.pk)].split("\n")
        paras.insert(5, para)
        texts[(current, org.pk)] = "\n".join(paras)
        planted.append(((current, org.pk), src_key, how))
    Entry.objects.bulk_create([
        Entry(campaign=campaigns[y], track="brand", organization_id=org_id, college_id=org_id, state="passed",
              title=f"品牌{org_id}", overview=body)
        for (y, org_id), body in texts.items()], batch_size=500)
    return campaigns, current, planted, orgs


class Clock:
    """Wall-clock and CPU seconds (the machine is shared: CPU time is the steadier number)."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def __str__(self):
        return f"{time.perf_counter() - self.wall:.2f} s wall / {time.process_time() - self.cpu:.2f} s CPU"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--entries", type=int, default=300)
    p.add_argument("--years", type=int, default=10)
    p.add_argument("--chars", type=int, default=5000)
    args = p.parse_args()
    setup()
    from similarity import services, textgen
    from similarity.models import Match, Text
    from submissions.models import Entry

    t0 = Clock()
    campaigns, current, planted, orgs = build(args.entries, args.years, args.chars)
    print(f"set-up: {len(campaigns)} years × {args.entries} entries × {args.chars} characters "
          f"({Entry.objects.count()} texts) in {t0}")

    t0 = Clock()
    for y in sorted(campaigns):
        if y != current:
            services.check_campaign(campaigns[y])
    print(f"1. archives ({args.years} years, {args.years * args.entries} texts) hashed and compared once: "
          f"{t0}")

    t0 = Clock()
    stats = services.check_campaign(campaigns[current])
    print(f"2. full run of {current}: {t0}  ({stats['texts']} texts, {stats['hashed']} hashed, "
          f"{stats['checked']} compared against {Text.objects.count()}, {stats['pairs']} candidate pairs measured)")

    t0 = Clock()
    stats = services.check_campaign(campaigns[current])
    print(f"3. same run, nothing changed: {t0}  ({stats['hashed']} hashed, "
          f"{stats['checked']} compared)")

    from organizations.models import Level, Organization

    newcomer = Organization.objects.create(name="新学院党委", code="NEW", level=Level.COLLEGE,
                                           org_type="college_committee", parent=orgs[0].parent)
    src = Entry.objects.get(campaign=campaigns[current - min(3, args.years)], organization=orgs[5]).overview
    body = textgen.text(999_999, args.chars) + "\n" + src.split("\n")[2]
    e = Entry.objects.create(campaign=campaigns[current], track="brand", organization=newcomer, college=newcomer,
                             state="draft", title="新品牌", overview=body)
    Entry.objects.filter(pk=e.pk).update(state="submitted")  # (not through save(): the hook would run it now)
    t0 = Clock()
    pairs = services.check_object("entry", e.pk)
    took = str(t0)
    found = Match.objects.filter(text__object_id=e.pk, text__kind="entry").count()
    print(f"4. one new submission (after-submit task body): {took}  ({pairs} candidate pairs, "
          f"{found} similar texts found, the planted one included: "
          f"{Match.objects.filter(text__object_id=e.pk, text__kind='entry', other__year=current - min(3, args.years)).exists()})")

    tracemalloc.start()
    t0 = Clock()
    services.check_campaign(campaigns[current], full=True)
    took = str(t0)
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"5. full re-compare of {current} under tracemalloc: {took}, peak Python memory {peak / 2**20:.1f} MiB; "
          f"process max RSS {rss:.0f} MiB")

    hits = 0
    by_how = {}
    for (y, org_id), (sy, sorg), how in planted:
        ok = Match.objects.filter(text__kind="entry", text__object_id=Entry.objects.get(campaign__year=y, organization_id=org_id).pk,
                                  other__kind="entry",
                                  other__object_id=Entry.objects.get(campaign__year=sy, organization_id=sorg).pk).exists()
        hits += ok
        by_how.setdefault(how, [0, 0])
        by_how[how][0] += ok
        by_how[how][1] += 1
    detail = ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(by_how.items()))
    print(f"6. planted copies found: {hits}/{len(planted)} ({detail}); "
          f"matches stored: {Match.objects.count()} (both directions)")


if __name__ == "__main__":
    main()
