using WardLink.Tests;
using Xunit.Sdk;
using Xunit.v3;

[assembly: TestCollectionOrderer(typeof(TestOrder))]
[assembly: TestClassOrderer(typeof(TestOrder))]
[assembly: TestMethodOrderer(typeof(TestOrder))]
[assembly: TestCaseOrderer(typeof(TestOrder))]

namespace WardLink.Tests;

/// <summary>
/// Runs a class's tests in the order of their names (ordinal), a collection's classes and the collections (each class is one
/// unless it names a shared one) in the order of theirs, wherever the tests were built: which classes start together too. xunit's own order hashes the test assembly's path, so a clone in another folder (CI's) ran a class's tests
/// in another order than every run here, and found there what one test had left in the class's store for the next. With
/// <c>WARDLINK_TEST_ORDER=reverse</c> each class runs its tests the other way round: a test that passes only when another ran
/// before it (or only when none did) fails in one of the two orders. Every test project compiles it in (tests/Directory.Build.props).
/// </summary>
public sealed class TestOrder : ITestCollectionOrderer, ITestClassOrderer, ITestMethodOrderer, ITestCaseOrderer
{
    /// <summary>The environment variable that reverses the order; <c>reverse</c> or unset.</summary>
    public const string Setting = "WARDLINK_TEST_ORDER";

    private static readonly bool Reversed = Environment.GetEnvironmentVariable(Setting) switch
    {
        null or "" => false,
        "reverse" => true,
        var other => throw new InvalidOperationException($"{Setting} is \"{other}\": it may be \"reverse\" (or unset, by name)."),
    };

    /// <inheritdoc/>
    public IReadOnlyCollection<TTestCollection> OrderTestCollections<TTestCollection>(IReadOnlyCollection<TTestCollection> testCollections)
        where TTestCollection : ITestCollection => Ordered(testCollections, testCollection => testCollection.TestCollectionDisplayName);

    /// <inheritdoc/>
    public IReadOnlyCollection<TTestClass?> OrderTestClasses<TTestClass>(IReadOnlyCollection<TTestClass?> testClasses)
        where TTestClass : ITestClass => Ordered(testClasses, testClass => testClass?.TestClassName);

    /// <inheritdoc/>
    public IReadOnlyCollection<TTestMethod?> OrderTestMethods<TTestMethod>(IReadOnlyCollection<TTestMethod?> testMethods)
        where TTestMethod : ITestMethod => Ordered(testMethods, testMethod => testMethod?.MethodName);

    /// <inheritdoc/>
    public IReadOnlyCollection<TTestCase> OrderTestCases<TTestCase>(IReadOnlyCollection<TTestCase> testCases)
        where TTestCase : notnull, ITestCase => Ordered(testCases, testCase => testCase.TestCaseDisplayName);

    private static TItem[] Ordered<TItem>(IReadOnlyCollection<TItem> items, Func<TItem, string?> name)
    {
        var byName = items.OrderBy(name, StringComparer.Ordinal).ToArray();
        if (Reversed)
        {
            Array.Reverse(byName);
        }

        return byName;
    }
}
