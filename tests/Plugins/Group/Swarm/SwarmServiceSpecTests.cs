using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Planning;
using Deploy.Engine.Plugins.Group;
using Deploy.Engine.Plugins.Group.Swarm;
using Deploy.Engine.Spec;
using Docker.DotNet.Models;
using InstanceEndpoint = Deploy.Engine.Plugins.Instance.Endpoint;
using SwarmTaskStatus = Docker.DotNet.Models.TaskStatus;

namespace Deploy.Tests.Plugins.Group.Swarm;

/// <summary>The pure translation between a group and a Swarm service: the spec it builds, and the group it reads back.</summary>
public sealed class SwarmServiceSpecTests
{
    private const string Hash = "hash-2";
    private const int PortBase = 18200;

    private static readonly Dictionary<string, string> Tags = new()
    {
        [GroupPlanner.GroupTag] = "app-green",
        [GroupPlanner.HashTag] = Hash,
        ["deploy.app"] = "shop",
    };

    [Fact]
    public void Build_Commit_ServiceNamedAfterTheGroupWithItsReplicas()
    {
        var spec = SwarmServiceSpec.Build(Commit(replicas: 4), Properties(), PortBase, forceUpdate: 0);

        spec.Name.ShouldBe("app-green");
        spec.Mode.Replicated.Replicas.ShouldBe(4UL);
        spec.TaskTemplate.ContainerSpec.Image.ShouldBe("hello:2");
    }

    [Fact]
    public void Build_PortPlaceholder_BecomesTheBlocksHundredsAndTheTwoDigitSlot()
    {
        var spec = SwarmServiceSpec.Build(Commit(), Properties(command: """["httpd", "-p", "{{port}}"]"""), PortBase, forceUpdate: 0);

        spec.TaskTemplate.ContainerSpec.Env.ShouldBe(["MODE=prod", "PORT=182{{printf \"%02s\" .Task.Slot}}"]);
        spec.TaskTemplate.ContainerSpec.Args.ShouldBe(["httpd", "-p", "182{{printf \"%02s\" .Task.Slot}}"]);
    }

    [Fact]
    public void Build_NoCommand_ImagesOwnArgs()
    {
        var spec = SwarmServiceSpec.Build(Commit(), Properties(), PortBase, forceUpdate: 0);

        spec.TaskTemplate.ContainerSpec.Args.ShouldBeNull();
    }

    [Fact]
    public void Build_Labels_TheCommitsTagsAndThePortBaseOnServiceAndContainers()
    {
        var spec = SwarmServiceSpec.Build(Commit(), Properties(), PortBase, forceUpdate: 0);

        var expected = new Dictionary<string, string>(Tags) { [SwarmServiceSpec.PortBaseLabel] = "18200" };
        spec.Labels.ShouldBe(expected, ignoreOrder: true);
        spec.TaskTemplate.ContainerSpec.Labels.ShouldBe(expected, ignoreOrder: true);
        SwarmServiceSpec.PortBaseLabel.ShouldBe("deploy.port-base");
    }

    [Fact]
    public void Build_ContainerOptions_InitAndStopGracePeriodFromProperties()
    {
        var defaults = SwarmServiceSpec.Build(Commit(), Properties(), PortBase, forceUpdate: 0).TaskTemplate.ContainerSpec;
        var set = SwarmServiceSpec.Build(Commit(), Properties(init: false, stopGracePeriod: "45s"), PortBase, forceUpdate: 0).TaskTemplate.ContainerSpec;

        (defaults.Init, defaults.StopGracePeriod).ShouldBe((true, TimeSpan.FromSeconds(10)));
        (set.Init, set.StopGracePeriod).ShouldBe((false, TimeSpan.FromSeconds(45)));
    }

    [Fact]
    public void Build_Placement_ConstraintsAndMaxReplicasPerNode()
    {
        var spec = SwarmServiceSpec.Build(Commit(), Properties(constraints: """["node.role==worker", "node.labels.zone!=b"]""", maxReplicasPerNode: 2),
            PortBase, forceUpdate: 0);

        spec.TaskTemplate.Placement.Constraints.ShouldBe(["node.role==worker", "node.labels.zone!=b"]);
        spec.TaskTemplate.Placement.MaxReplicas.ShouldBe(2UL);
    }

    [Fact]
    public void Build_Network_TheHostsOnly()
    {
        var spec = SwarmServiceSpec.Build(Commit(), Properties(), PortBase, forceUpdate: 0);

        spec.TaskTemplate.Networks.Select(n => n.Target).ShouldBe(["host"]);
    }

    [Fact]
    public void Build_UpdateConfig_UpdatingCountAtATimeStopFirstPausingOnFailure()
    {
        var spec = SwarmServiceSpec.Build(Commit(updateCount: 3), Properties(), PortBase, forceUpdate: 0);

        spec.UpdateConfig.Parallelism.ShouldBe(3UL);
        spec.UpdateConfig.Order.ShouldBe("stop-first");
        spec.UpdateConfig.FailureAction.ShouldBe("pause");
    }

    [Fact]
    public void Build_ForceUpdate_PassedThrough()
    {
        SwarmServiceSpec.Build(Commit(), Properties(), PortBase, forceUpdate: 7).TaskTemplate.ForceUpdate.ShouldBe(7UL);
    }

    [Fact]
    public void Observe_RunningDesiredTasks_InstancesAtTheirNodesAddressAndBasePlusSlot()
    {
        var tasks = new[]
        {
            Task(id: "t2", slot: 2, nodeId: "n2", state: TaskState.Running),
            Task(id: "t1", slot: 1, nodeId: "n1", state: TaskState.Running),
        };

        var group = SwarmServiceSpec.Observe(Service(replicas: 2), tasks, Nodes);

        (group.GroupId, group.Replicas, group.ConfigHash, group.Rollout, group.RolloutMessage).ShouldBe(("app-green", 2, Hash, GroupRollout.Complete, (string?)null));
        group.Instances.Select(i => (i.Id, i.Endpoint)).ShouldBe(
        [
            ("t1", new InstanceEndpoint("http", "10.0.0.1", 18201)),
            ("t2", new InstanceEndpoint("http", "10.0.0.2", 18202)),
        ]);
        group.Tasks.Select(t => (t.Id, t.Node, t.State, t.Desired)).ShouldBe(
        [
            ("t1", "web1", GroupTaskState.Running, true),
            ("t2", "web2", GroupTaskState.Running, true),
        ]);
    }

    [Fact]
    public void Observe_TaskTags_ItsContainerLabelsWithoutThePortBase()
    {
        var group = SwarmServiceSpec.Observe(Service(), [Task(id: "t1", slot: 1, nodeId: "n1", state: TaskState.Running)], Nodes);

        var task = group.Tasks.ShouldHaveSingleItem();
        task.Tags.ShouldBe(Tags, ignoreOrder: true);
        task.ConfigHash.ShouldBe(Hash);
        group.Instances.ShouldHaveSingleItem().Tags.ShouldBe(Tags, ignoreOrder: true);
    }

    [Fact]
    public void Observe_TaskBeingShutDown_NotAnInstance()
    {
        var tasks = new[]
        {
            Task(id: "old", slot: 1, nodeId: "n1", state: TaskState.Running, desired: TaskState.Shutdown),
            Task(id: "new", slot: 1, nodeId: "n1", state: TaskState.Starting),
        };

        var group = SwarmServiceSpec.Observe(Service(), tasks, Nodes);

        group.Instances.ShouldBeEmpty();
        group.Tasks.Select(t => (t.Id, t.State, t.Desired)).ShouldBe(
        [
            ("new", GroupTaskState.Starting, true),
            ("old", GroupTaskState.Running, false),
        ]);
    }

    [Fact]
    public void Observe_RejectedTask_FailedWithItsError()
    {
        var rejected = Task(id: "t1", slot: 1, nodeId: "n1", state: TaskState.Rejected, err: "No such image: hello:9");

        var task = SwarmServiceSpec.Observe(Service(), [rejected], Nodes).Tasks.ShouldHaveSingleItem();

        (task.State, task.Error).ShouldBe((GroupTaskState.Failed, "No such image: hello:9"));
    }

    [Fact]
    public void Observe_PendingTaskWithoutNode_NoNodeAndNoEndpoint()
    {
        var pending = Task(id: "t1", slot: 1, nodeId: "", state: TaskState.Pending, err: "no suitable node (scheduling constraints not satisfied on 2 nodes)");

        var task = SwarmServiceSpec.Observe(Service(), [pending], Nodes).Tasks.ShouldHaveSingleItem();

        (task.State, task.Node, task.Endpoint).ShouldBe((GroupTaskState.Pending, "", (InstanceEndpoint?)null));
        task.Error.ShouldBe("no suitable node (scheduling constraints not satisfied on 2 nodes)");
    }

    [Theory]
    [InlineData(null, GroupRollout.Complete, null)]
    [InlineData("completed", GroupRollout.Complete, null)]
    [InlineData("updating", GroupRollout.Updating, "update in progress")]
    [InlineData("paused", GroupRollout.Paused, "update paused due to failure or early termination of task t1")]
    [InlineData("rollback_completed", GroupRollout.RolledBack, "rollback completed")]
    public void Observe_UpdateStatus_RolloutWithMessage(string? state, GroupRollout rollout, string? message)
    {
        var service = Service(update: state is null ? null : new UpdateStatus { State = state, Message = message ?? "update completed" });

        var group = SwarmServiceSpec.Observe(service, [], Nodes);

        (group.Rollout, group.RolloutMessage).ShouldBe((rollout, message));
    }

    [Fact]
    public void Observe_ServiceWithoutPortBase_TasksWithoutEndpoint()
    {
        var service = Service();
        service.Spec.Labels.Remove(SwarmServiceSpec.PortBaseLabel);

        var group = SwarmServiceSpec.Observe(service, [Task(id: "t1", slot: 1, nodeId: "n1", state: TaskState.Running)], Nodes);

        group.Tasks.ShouldHaveSingleItem().Endpoint.ShouldBeNull();
    }

    [Fact]
    public void Node_AddressUnspecified_TheManagersAddressWithoutItsPort()
    {
        var node = SwarmTasks.Node(NodeResponse(addr: "0.0.0.0", managerAddr: "10.0.0.5:2377"));

        node.Address.ShouldBe("10.0.0.5");
        (node.Id, node.Hostname, node.Role, node.Os, node.Arch, node.Ready).ShouldBe(("n5", "mgr1", "manager", "linux", "x86_64", true));
        node.Labels.ShouldBe(new Dictionary<string, string> { ["zone"] = "a" });
    }

    [Fact]
    public void Node_AddressUnspecifiedIPv6Manager_TheManagersAddressWithoutBrackets()
    {
        var node = SwarmTasks.Node(NodeResponse(addr: "0.0.0.0", managerAddr: "[fd00::5]:2377"));

        node.Address.ShouldBe("fd00::5");
        new InstanceEndpoint("http", node.Address, 18201).Host.ShouldBe("fd00::5");
    }

    [Fact]
    public void Node_OwnAddress_Kept()
    {
        SwarmTasks.Node(NodeResponse(addr: "10.0.0.7", managerAddr: "10.0.0.5:2377")).Address.ShouldBe("10.0.0.7");
    }

    [Fact]
    public void Node_Drained_NotReady()
    {
        SwarmTasks.Node(NodeResponse(addr: "10.0.0.7", managerAddr: null, availability: "drain")).Ready.ShouldBeFalse();
    }

    private static readonly IReadOnlyDictionary<string, string> NoLabels = new Dictionary<string, string>();

    private static readonly IReadOnlyDictionary<string, SwarmNode> Nodes = new Dictionary<string, SwarmNode>
    {
        ["n1"] = new(Id: "n1", Hostname: "web1", Role: "worker", Os: "linux", Arch: "x86_64", Address: "10.0.0.1", Ready: true, Labels: NoLabels, EngineLabels: NoLabels),
        ["n2"] = new(Id: "n2", Hostname: "web2", Role: "worker", Os: "linux", Arch: "x86_64", Address: "10.0.0.2", Ready: true, Labels: NoLabels, EngineLabels: NoLabels),
    };

    private static GroupCommit Commit(int replicas = 2, int updateCount = 1) => new(
        GroupId: "app-green",
        Replicas: replicas,
        ConfigHash: Hash,
        Properties: null,
        Tags: Tags,
        Updating: new UpdatingSpec(Count: updateCount));

    private static SwarmProperties Properties(
        string? command = null,
        bool? init = null,
        string? stopGracePeriod = null,
        string? constraints = null,
        int? maxReplicasPerNode = null)
    {
        var fields = new List<string> { "\"Image\": \"hello:2\"", "\"Ports\": \"18200-18399\"", "\"Env\": {\"PORT\": \"{{port}}\", \"MODE\": \"prod\"}" };
        if (command is not null) fields.Add($"\"Command\": {command}");
        if (init is not null) fields.Add($"\"Init\": {(init.Value ? "true" : "false")}");
        if (stopGracePeriod is not null) fields.Add($"\"StopGracePeriod\": \"{stopGracePeriod}\"");
        if (constraints is not null) fields.Add($"\"Constraints\": {constraints}");
        if (maxReplicasPerNode is not null) fields.Add($"\"MaxReplicasPerNode\": {maxReplicasPerNode}");
        var bag = new DiagnosticBag();
        using var doc = JsonDocument.Parse("{" + string.Join(", ", fields) + "}");
        var properties = SwarmProperties.Read(doc.RootElement, "$.P", bag, environment: _ => null);
        bag.Items.ShouldBeEmpty();
        return properties!;
    }

    private static ObservedService Service(int replicas = 2, UpdateStatus? update = null) => ObservedService.From(new SwarmService
    {
        ID = "svc1",
        Version = new Docker.DotNet.Models.Version { Index = 7 },
        Spec = new ServiceSpec
        {
            Name = "app-green",
            Labels = new Dictionary<string, string>(Tags) { [SwarmServiceSpec.PortBaseLabel] = "18200" },
            Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = (ulong)replicas } },
        },
        UpdateStatus = update,
    })!;

    private static TaskResponse Task(string id, long slot, string nodeId, TaskState state, TaskState desired = TaskState.Running, string? err = null) => new()
    {
        ID = id,
        Slot = slot,
        NodeID = nodeId,
        Status = new SwarmTaskStatus { State = state, Err = err },
        DesiredState = desired,
        Spec = new TaskSpec
        {
            ContainerSpec = new ContainerSpec { Labels = new Dictionary<string, string>(Tags) { [SwarmServiceSpec.PortBaseLabel] = "18200" } },
        },
    };

    private static NodeListResponse NodeResponse(string addr, string? managerAddr, string availability = "active") => new()
    {
        ID = "n5",
        Description = new NodeDescription
        {
            Hostname = "mgr1",
            Platform = new SwarmPlatform { OS = "linux", Architecture = "x86_64" },
        },
        Spec = new NodeUpdateParameters { Role = "manager", Availability = availability, Labels = new Dictionary<string, string> { ["zone"] = "a" } },
        Status = new NodeStatus { State = "ready", Addr = addr },
        ManagerStatus = managerAddr is null ? null : new ManagerStatus { Addr = managerAddr },
    };
}
