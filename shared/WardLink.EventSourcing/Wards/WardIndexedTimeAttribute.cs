using System.Reflection;
using System.Text.Json;
using JasperFx.MultiTenancy;
using Marten.Schema;

namespace WardLink.EventSourcing.Wards;

/// <summary>
/// A time a ward's rows are counted and listed by (statistics' years, lists' ranges): indexed after the ward (tenant),
/// <c>(tenant_id, time)</c>, so one ward's statistics read its own rows only, however many wards share the table. (Found by
/// the benchmark: at 100 wards a ward's tip statistics scanned every ward's tips of the year.) The time is indexed as every
/// query reads it, its ticks from the row's JSON (<see cref="ExactTimes"/>): so every row is in the index exactly, the rows
/// stored before too, and no column of its own holds a copy cut to PostgreSQL's microseconds. Not the time alone, as Marten's
/// <see cref="DuplicateFieldAttribute"/> indexes it: every read of these rows names its wards, and with that index PostgreSQL
/// read the year of a ward that holds most of the table by the time alone, every ward's rows of that year (it takes the ward
/// and the time for independent); it also cost every write an index entry.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class WardIndexedTimeAttribute : MartenAttribute
{
    /// <summary>The column of a multi-tenanted document's tenant, as Marten names it.</summary>
    private const string TenantColumn = "tenant_id";

    public override void Modify(DocumentMapping mapping, MemberInfo member)
    {
        if (mapping.TenancyStyle != TenancyStyle.Conjoined)
        {
            throw new InvalidOperationException($"{mapping.DocumentType.Name}.{member.Name} is a ward's time, but {mapping.DocumentType.Name} is not kept by ward.");
        }

        mapping.Indexes.Add(new WardTimeIndex(mapping, member) { Name = $"{mapping.TableName.Name}_idx_ward_{JsonNamingPolicy.SnakeCaseLower.ConvertName(member.Name)}" });
    }

    /// <summary>The time as Marten's queries read it (an index of the member's own expression), after the ward.</summary>
    private sealed class WardTimeIndex(DocumentMapping mapping, MemberInfo member) : ComputedIndex(mapping, [member])
    {
        public override string[] Columns => [TenantColumn, .. base.Columns];
    }
}
