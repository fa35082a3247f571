using Marten;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests;

public sealed class YearlyNumbersTests(ServiceFixture<TipsService> service) : IClassFixture<ServiceFixture<TipsService>>
{
    [Fact]
    public async Task Fifty_concurrent_reservations_get_fifty_distinct_gap_free_numbers()
    {
        var sessions = service.Host.Services.GetRequiredService<ISessionFactory>();
        var at = new DateTimeOffset(2024, 6, 1, 10, 0, 0, WardTime.Offset);

        var numbers = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => sessions.RetryOnConflictAsync(
            async session =>
            {
                var number = await session.ReserveNumberAsync("TEST", at, Guid.CreateVersion7(), TestContext.Current.CancellationToken);
                await session.SaveChangesAsync(TestContext.Current.CancellationToken);
                return number;
            },
            TestContext.Current.CancellationToken))));

        Assert.Equal(Enumerable.Range(1, 50).Select(n => $"TEST-QT-2024-{n:0000}"), numbers.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Numbers_count_per_year_in_the_ward_s_local_time()
    {
        var sessions = service.Host.Services.GetRequiredService<ISessionFactory>();

        // 31 Dec 2023 18:30 UTC is already 1 Jan 2024 in the ward.
        var newYearsEve = await Reserve(sessions, new DateTimeOffset(2023, 12, 31, 18, 30, 0, TimeSpan.Zero));
        var lastOf2023 = await Reserve(sessions, new DateTimeOffset(2023, 12, 31, 16, 59, 0, TimeSpan.Zero));

        Assert.Equal("YEAR-QT-2024-0001", newYearsEve);
        Assert.Equal("YEAR-QT-2023-0001", lastOf2023);
    }

    private static Task<string> Reserve(ISessionFactory sessions, DateTimeOffset at) => sessions.RetryOnConflictAsync(
        async session =>
        {
            var number = await session.ReserveNumberAsync("YEAR", at, Guid.CreateVersion7(), TestContext.Current.CancellationToken);
            await session.SaveChangesAsync(TestContext.Current.CancellationToken);
            return number;
        },
        TestContext.Current.CancellationToken);
}
