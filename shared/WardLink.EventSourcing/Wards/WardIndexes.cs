using System.Reflection;
using Marten.Schema;
using JasperFx.MultiTenancy;
using Weasel.Postgresql.Tables;

namespace WardLink.EventSourcing.Wards;

/// <summary>
/// Each ward's rows by their time: every time a multi-tenanted document duplicates into a column of its
/// own (<see cref="DuplicateFieldAttribute"/>: what statistics and lists filter on) is also indexed after
/// the ward (tenant), so one ward's statistics read its own rows only, however many wards share the table.
/// (Found by the benchmark: at 100 wards a ward's tip statistics scanned every ward's tips of the year.)
/// </summary>
public static class WardIndexes
{
    /// <summary>The column of a multi-tenanted document's tenant, as Marten names it.</summary>
    private const string TenantColumn = "tenant_id";

    public static void ByWardAndTime(DocumentMapping mapping)
    {
        if (mapping.TenancyStyle != TenancyStyle.Conjoined)
        {
            return;
        }

        var times = mapping.DocumentType.GetProperties()
            .Where(property => property.GetCustomAttribute<DuplicateFieldAttribute>() is not null)
            .Where(property => Nullable.GetUnderlyingType(property.PropertyType) is { } inner ? inner == typeof(DateTimeOffset) : property.PropertyType == typeof(DateTimeOffset));
        foreach (var time in times)
        {
            var column = ColumnOf(time.Name);
            mapping.Indexes.Add(new IndexDefinition($"{mapping.TableName.Name}_idx_ward_{column}") { Columns = [TenantColumn, column] });
        }
    }

    /// <summary>The column Marten gives a duplicated member: its name in snake case (<c>ReceivedAt</c>: <c>received_at</c>).</summary>
    private static string ColumnOf(string member) =>
        string.Concat(member.Select((letter, index) => char.IsUpper(letter) ? (index > 0 ? "_" : string.Empty) + char.ToLowerInvariant(letter) : letter.ToString()));
}
