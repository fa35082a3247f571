using WardLink.Gateway;
using WardLink.Testing;

namespace WardLink.UnitTests;

public sealed class PartnerStandingCacheTests
{
    private static readonly DateTimeOffset Start = new(2024, 5, 2, 21, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_answer_is_used_for_the_cache_time_from_when_it_was_asked_then_asked_again()
    {
        var clock = new ManualClock(Start);
        var answers = new Queue<Standing>([Standing.Good, Standing.NotGood]);
        var asked = new List<Guid>();
        var partner = Guid.CreateVersion7();
        var cache = new PartnerStandingCache(id => { asked.Add(id); return Task.FromResult(answers.Dequeue()); }, clock, CacheFor);

        Assert.Equal(Standing.Good, await cache.OfAsync(partner, fresh: false, TestContext.Current.CancellationToken));
        clock.Set(Start + CacheFor - TimeSpan.FromTicks(1));
        Assert.Equal(Standing.Good, await cache.OfAsync(partner, fresh: false, TestContext.Current.CancellationToken));
        Assert.Single(asked);

        clock.Set(Start + CacheFor);
        Assert.Equal(Standing.NotGood, await cache.OfAsync(partner, fresh: false, TestContext.Current.CancellationToken));
        Assert.Equal([partner, partner], asked);
    }

    [Fact]
    public async Task An_unconfirmed_answer_is_not_kept_and_partners_are_asked_apart()
    {
        var clock = new ManualClock(Start);
        var answers = new Queue<Standing>([Standing.Unconfirmed, Standing.Good, Standing.NotGood]);
        var asked = new List<Guid>();
        var (first, second) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        var cache = new PartnerStandingCache(id => { asked.Add(id); return Task.FromResult(answers.Dequeue()); }, clock, CacheFor);

        Assert.Equal(Standing.Unconfirmed, await cache.OfAsync(first, fresh: false, TestContext.Current.CancellationToken));
        Assert.Equal(Standing.Good, await cache.OfAsync(first, fresh: false, TestContext.Current.CancellationToken));
        Assert.Equal(Standing.NotGood, await cache.OfAsync(second, fresh: false, TestContext.Current.CancellationToken));
        Assert.Equal(Standing.Good, await cache.OfAsync(first, fresh: false, TestContext.Current.CancellationToken));

        Assert.Equal([first, first, second], asked);
    }

    [Fact]
    public async Task A_fresh_lookup_always_asks_and_the_lookups_after_it_use_its_answer()
    {
        var clock = new ManualClock(Start);
        var answers = new Queue<Standing>([Standing.Good, Standing.NotGood]);
        var questions = 0;
        var partner = Guid.CreateVersion7();
        var cache = new PartnerStandingCache(_ => { questions++; return Task.FromResult(answers.Dequeue()); }, clock, CacheFor);

        Assert.Equal(Standing.Good, await cache.OfAsync(partner, fresh: false, TestContext.Current.CancellationToken));
        Assert.Equal(Standing.NotGood, await cache.OfAsync(partner, fresh: true, TestContext.Current.CancellationToken));
        Assert.Equal(Standing.NotGood, await cache.OfAsync(partner, fresh: false, TestContext.Current.CancellationToken));

        Assert.Equal(2, questions);
    }

    [Fact]
    public async Task Lookups_of_one_partner_at_the_same_time_share_one_question()
    {
        var answer = new TaskCompletionSource<Standing>(TaskCreationOptions.RunContinuationsAsynchronously);
        var questions = 0;
        var cache = new PartnerStandingCache(_ => { Interlocked.Increment(ref questions); return answer.Task; }, new ManualClock(Start), CacheFor);
        var partner = Guid.CreateVersion7();

        var lookups = Enumerable.Range(0, 8).Select(_ => cache.OfAsync(partner, fresh: false, TestContext.Current.CancellationToken)).ToList();
        answer.SetResult(Standing.Good);

        Assert.All(await Task.WhenAll(lookups), standing => Assert.Equal(Standing.Good, standing));
        Assert.Equal(1, questions);
    }
}
