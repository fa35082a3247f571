using WardLink.ServiceDefaults.Security;
using WardLink.Testing;
using static WardLink.IntegrationTests.BadInput.JsonBodies;

namespace WardLink.IntegrationTests.BadInput;

public abstract partial class BadInputSuite<TEntryPoint>
{
    private const string Anonymous = "the public";

    /// <summary>
    /// A path value no route takes (over-long, a GUID one digit too long) is refused alike for every role an operation is
    /// for, and for the public: a caller that the same operation with well-formed ids lets in is never told 401 or 403 for
    /// it (an auditor read "Forbidden" for a malformed stream id, which the police read as a 404, and the public 401 for a
    /// mistyped public path: a path no route matched fell to the police's policy), and gets a 4xx problem.
    /// </summary>
    [Fact]
    public async Task A_malformed_path_value_is_refused_alike_for_every_role_the_operation_is_for()
    {
        (string What, string Escaped)[] values = [("1,000 characters", new string('x', 1_000)), ("a GUID and one more digit", Guid.NewGuid() + "0")];
        var operations = await PathOperation.DescribedByAsync(_client, Ct);
        var failures = new List<string>();
        var admitted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var role in WardLinkRoles.All.Append(Anonymous))
        {
            using var client = service.CreateClient().As(role == Anonymous ? null : TestAuth.Token(role, partnerId: role == WardLinkRoles.Partner ? Guid.NewGuid() : null));
            foreach (var operation in operations)
            {
                var body = operation.Body?.Sample()?.ToJsonString();
                var wellFormed = (await SendAsync(operation.Method, PathParameter.Fill(operation.Template, operation.Parameters), body is null ? null : Json(body), countStored: false, client: client)).Status;
                if (wellFormed is 401 or 403)
                {
                    continue;
                }

                admitted.Add(role);
                foreach (var parameter in operation.Parameters)
                {
                    foreach (var (what, escaped) in values)
                    {
                        var status = (await SendAsync(operation.Method, operation.Address(parameter.Name, escaped), body is null ? null : Json(body), countStored: false, client: client)).Status;
                        if (status is 401 or 403 or < 400 or >= 500)
                        {
                            failures.Add($"{operation} as {role}, {parameter.Name} = {what}: {status}, where well-formed ids got {wellFormed}");
                        }
                    }
                }
            }
        }

        Assert.True(admitted.Count > 1, $"Only {string.Join(", ", admitted)} reached an operation with a path parameter: the walk compares roles.");
        AssertNone(failures);
    }
}
