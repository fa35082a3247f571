using CsCheck;
using Weasel.Core;
using WardLink.EventSourcing;

namespace WardLink.UnitTests;

/// <summary>
/// Where a yearly counter stands is read from its last event's stored data (<see cref="YearlyNumbers.LastNumberIn"/>),
/// as the store serialises it: one number, the numbers of a batch, or (an insider's or a bug's) something else.
/// </summary>
public sealed class YearlyNumbersTests
{
    private static readonly Marten.Services.SystemTextJsonSerializer Store = new() { Casing = Casing.CamelCase, EnumStorage = EnumStorage.AsString };

    private static readonly string[] Prefixes = ["TIP-QT-2024-", "INC-DQ-2025-", "TIP-ABCDEF-1999-"];

    [Fact]
    public void A_counter_stands_at_the_number_its_last_event_names_last()
    {
        Gen.Select(Gen.Int[0, Prefixes.Length - 1].Select(index => Prefixes[index]), Gen.Long[1, 9_999_999_999].Array[1, 40]).Sample((prefix, counts) =>
        {
            var batch = new NumbersReserved([.. counts.Select(count => new NumberReserved($"{prefix}{count:0000}", Guid.CreateVersion7()))]);
            Assert.Equal(counts[^1], YearlyNumbers.LastNumberIn(Store.ToJson(batch)));
            Assert.Equal(counts[0], YearlyNumbers.LastNumberIn(Store.ToJson(batch.Numbers[0])));
        });
    }

    [Fact]
    public void An_event_that_names_no_number_is_not_read_as_one() =>
        Assert.All(
            [
                "{}", "[]", "null", "42", "\"TIP-QT-2024-0001\"", "{\"numbers\":[]}", "{\"numbers\":{}}", "{\"numbers\":[{}]}",
                "{\"number\":42}", "{\"number\":null}", "{\"number\":\"TIP-QT-2024-\"}", "{\"number\":\"TIP-QT-2024-x1\"}",
                "{\"numbers\":[{\"number\":\"TIP-QT-2024-0001\"},{\"for\":\"x\"}]}", "{\"tipId\":\"0191e0a4-0000-7000-8000-000000000000\"}",
            ],
            data => Assert.Null(YearlyNumbers.LastNumberIn(data)));
}
