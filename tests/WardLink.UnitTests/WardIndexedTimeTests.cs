using Marten;
using Marten.Schema;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Wards;

namespace WardLink.UnitTests;

/// <summary>A ward's time is indexed after the ward, as queries read it (to the tick), and only on rows kept by ward.</summary>
public sealed class WardIndexedTimeTests
{
    public sealed record Row(Guid Id, [property: WardIndexedTime] DateTimeOffset At);

    [Fact]
    public void A_row_kept_by_ward_has_its_time_indexed_after_the_ward_to_the_tick_and_not_alone()
    {
        var options = new StoreOptions();
        options.UseSystemTextJsonForSerialization(casing: Weasel.Core.Casing.CamelCase);
        options.UseExactTimes();
        options.Policies.AllDocumentsAreMultiTenanted();

        var index = Assert.Single(new DocumentMapping(typeof(Row), options).Indexes);

        Assert.Equal(["tenant_id", $"(public.{ExactTimes.Function}(data ->> 'at'))"], index.Columns!);
        Assert.Equal("mt_doc_wardindexedtimetests_row_idx_ward_at", index.Name);
    }

    [Fact]
    public void A_row_not_kept_by_ward_cannot_have_a_ward_s_time()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => new DocumentMapping(typeof(Row), new StoreOptions()));

        Assert.Contains("Row.At", refused.Message, StringComparison.Ordinal);
    }
}
