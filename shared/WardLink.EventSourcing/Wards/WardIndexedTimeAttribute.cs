using System.Reflection;
using JasperFx.MultiTenancy;
using Marten.Schema;
using Weasel.Postgresql.Tables;

namespace WardLink.EventSourcing.Wards;

/// <summary>
/// A time a ward's rows are counted and listed by (statistics' years, lists' ranges): Marten keeps it in a column of
/// its own, indexed after the ward (tenant), <c>(tenant_id, column)</c>, so one ward's statistics read its own rows
/// only, however many wards share the table. (Found by the benchmark: at 100 wards a ward's tip statistics scanned
/// every ward's tips of the year.) Not the time alone, as Marten's <see cref="DuplicateFieldAttribute"/> indexes it:
/// every read of these rows names its wards, and with that index PostgreSQL read the year of a ward that holds most
/// of the table by the time alone, every ward's rows of that year (it takes the ward and the time for independent);
/// it also cost every write an index entry.
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

        var field = mapping.DuplicateField(member.Name);
        mapping.Indexes.Add(new IndexDefinition($"{mapping.TableName.Name}_idx_ward_{field.ColumnName}") { Columns = [TenantColumn, field.ColumnName] });
    }
}
