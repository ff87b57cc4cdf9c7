BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    $script:Password = 'conn-pw-1'
    $script:Cred = New-TestCredential $Password
    $script:Nodes = New-TestCluster -Masters 3 -ReplicasPerMaster 0 -Password $Password

    # Words of the client library that must never reach a user: our messages say what happened.
    $script:LibraryWords = 'IOCP', 'StackExchange', 'No connection is active', 'v: 3.', 'Busy=', 'It was not possible'
    function Assert-OwnWords([string] $Message) {
        foreach ($word in $LibraryWords) { $Message | Should -Not -BeLike "*$word*" }
    }
}

AfterAll {
    Disconnect-RedisCluster
    Stop-TestNode
}

Describe 'Connect-RedisCluster' {
    BeforeEach { Disconnect-RedisCluster }

    It 'connects with requirepass, learns every node and remembers the connection' {
        $connection = Connect-RedisCluster -EndPoint $Nodes[0].EndPoint -Credential $Cred
        $connection.EndPoint | Should -Be $Nodes[0].EndPoint
        $connection.IsOpen | Should -BeTrue
        @($connection.KnownEndPoints | Sort-Object) | Should -Be @($Nodes.EndPoint | Sort-Object)
        (Get-RedisClusterNode).Count | Should -Be 3
    }

    It 'uses the first seed that answers' {
        $dead = "127.0.0.1:$(Get-FreeNodePort)"
        $connection = Connect-RedisCluster -EndPoint $dead, $Nodes[1].EndPoint -Credential $Cred
        $connection.EndPoint | Should -Be $Nodes[1].EndPoint
    }

    It 'connects as an ACL user' {
        foreach ($n in $Nodes) { $null = Invoke-RedisCli $n.EndPoint $Password ACL SETUSER operator on '>op-secret' '~*' '&*' '+@all' }
        try {
            $connection = Connect-RedisCluster -EndPoint $Nodes[0].EndPoint -Credential (New-TestCredential 'op-secret' 'operator')
            $connection.UserName | Should -Be 'operator'
            (Get-RedisClusterNode -Role Master).Count | Should -Be 3
        } finally {
            foreach ($n in $Nodes) { $null = Invoke-RedisCli $n.EndPoint $Password ACL DELUSER operator }
        }
    }

    It 'reports a wrong password as a SecurityError without echoing it' {
        $err = Get-ErrorRecord { Connect-RedisCluster -EndPoint $Nodes[0].EndPoint -Credential (New-TestCredential 'not-the-password') }
        $err.CategoryInfo.Category | Should -Be 'SecurityError'
        $err.FullyQualifiedErrorId | Should -Be 'AuthenticationFailed,RedisCluster.Commands.ConnectRedisClusterCommand'
        "$err" | Should -Be "$($Nodes[0].EndPoint) refused user 'default' with the password given: check the credential's user name and password."
    }

    It 'says a password is needed when none was given' {
        $err = Get-ErrorRecord { Connect-RedisCluster -EndPoint $Nodes[0].EndPoint }
        $err.CategoryInfo.Category | Should -Be 'SecurityError'
        $err.FullyQualifiedErrorId | Should -Be 'PasswordRequired,RedisCluster.Commands.ConnectRedisClusterCommand'
        "$err" | Should -Be "$($Nodes[0].EndPoint) requires a password and none was given: add -Credential."
    }

    It 'says a refusing port refused, at once and in its own words' {
        $port = Get-FreeNodePort
        $err = Get-ErrorRecord { Connect-RedisCluster -EndPoint "127.0.0.1:$port" -Credential $Cred -ConnectTimeoutSeconds 2 }
        $err.CategoryInfo.Category | Should -Be 'ConnectionError'
        $err.FullyQualifiedErrorId | Should -Be 'ConnectionRefused,RedisCluster.Commands.ConnectRedisClusterCommand'
        "$err" | Should -Be "127.0.0.1:$port refused the connection: nothing listens on port $port there."
    }

    It 'says a host name did not resolve' {
        $err = Get-ErrorRecord { Connect-RedisCluster -EndPoint 'no-such-host.invalid:6379' -Credential $Cred }
        $err.CategoryInfo.Category | Should -Be 'ConnectionError'
        $err.FullyQualifiedErrorId | Should -Be 'HostNotResolved,RedisCluster.Commands.ConnectRedisClusterCommand'
        "$err" | Should -Be "The host name 'no-such-host.invalid' of no-such-host.invalid:6379 did not resolve."
    }

    It 'says when what answers is not a Redis server' {
        # A peer that answers like a web server: what an operator meets after a wrong port.
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $server = Start-ThreadJob -ArgumentList $listener {
            param($listener)
            while ($true) {
                $client = $listener.AcceptTcpClient()
                $stream = $client.GetStream()
                $null = $stream.Read([byte[]]::new(256), 0, 256)
                $reply = [Text.Encoding]::ASCII.GetBytes("HTTP/1.1 400 Bad Request`r`n`r`n")
                $stream.Write($reply, 0, $reply.Length)
                $client.Close()
            }
        }
        try {
            $endPoint = "127.0.0.1:$($listener.LocalEndpoint.Port)"
            $err = Get-ErrorRecord { Connect-RedisCluster -EndPoint $endPoint -ConnectTimeoutSeconds 3 }
            $err.CategoryInfo.Category | Should -Be 'ProtocolError'
            $err.FullyQualifiedErrorId | Should -Be 'NotRedisServer,RedisCluster.Commands.ConnectRedisClusterCommand'
            "$err" | Should -Be "$endPoint answered, but not the way a Redis server does."
        } finally {
            # Stopping the listener first ends the accept the job is blocked in; then the job can stop.
            $listener.Stop()
            $server | Stop-Job -PassThru | Remove-Job
        }
    }

    It 'reports a node that stops answering as OperationTimeout' {
        $frozen = Start-TestNode -Password $Password
        $connection = Connect-RedisCluster -EndPoint $frozen.EndPoint -Credential $Cred -CommandTimeoutSeconds 1
        & kill -STOP $frozen.ProcessId
        try {
            $err = Get-ErrorRecord { Get-RedisClusterNode -Connection $connection }
            $err.CategoryInfo.Category | Should -Be 'OperationTimeout'
            $err.FullyQualifiedErrorId | Should -Be 'CommandTimeout,RedisCluster.Commands.GetRedisClusterNodeCommand'
            "$err" | Should -Be "$($frozen.EndPoint) did not answer CLUSTER NODES within 1 s."
        } finally {
            & kill -CONT $frozen.ProcessId
            $connection | Disconnect-RedisCluster
            Stop-TestNode -Node $frozen
        }
    }

    It 'rejects a malformed endpoint with InvalidArgument and the accepted forms' -ForEach @(
        @{ Text = '127.0.0.1:notaport' }, @{ Text = 'redis://127.0.0.1:6379' }, @{ Text = '127.0.0.1 6379' },
        @{ Text = '::1' }, @{ Text = '127.0.0.1' }, @{ Text = ':6379' }
    ) {
        $err = Get-ErrorRecord { Connect-RedisCluster -EndPoint $Text -Credential $Cred }
        $err.FullyQualifiedErrorId | Should -Be 'InvalidEndPoint,RedisCluster.Commands.ConnectRedisClusterCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        "$err" | Should -BeLike '*Expected host:port, such as 10.0.0.5:6379*'
    }

    It 'needs a CA file that exists when one is named' {
        $err = Get-ErrorRecord { Connect-RedisCluster -EndPoint $Nodes[0].EndPoint -Credential $Cred -TlsCaCertificatePath (Join-Path $TestDrive 'missing.pem') }
        $err.FullyQualifiedErrorId | Should -Be 'InvalidCaCertificate,RedisCluster.Commands.ConnectRedisClusterCommand'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'A connection outlives the node it came through' {
    BeforeAll {
        $script:Own = New-TestCluster -Masters 3 -ReplicasPerMaster 0 -Password $Password
    }
    AfterAll { Stop-TestNode -Node $Own }

    It 'reads a restarted node at once, though a read failed while it did not answer' {
        $connection = Connect-RedisCluster -EndPoint $Own[0].EndPoint -Credential $Cred -ConnectTimeoutSeconds 1
        $victim = $Own[2]
        Stop-TestNode -Node $victim
        Restart-TestNode -Node $victim
        # Back, but not answering yet (as a node still starting up): the read connecting to it fails, and does so
        # after the connect timeout, once the attempt is under way.
        & kill -STOP $victim.ProcessId
        try {
            $down = Get-RedisClusterInfo -Connection $connection | Where-Object EndPoint -eq $victim.EndPoint
            $down.IsReachable | Should -BeFalse
        } finally { & kill -CONT $victim.ProcessId }

        # Answering now: the very next read reaches it, rather than repeat the failed attempt.
        $info = Get-RedisClusterInfo -Connection $connection
        @($info | Where-Object { -not $_.IsReachable } | ForEach-Object Error) | Should -BeNullOrEmpty
        $info.Count | Should -Be 3
        Wait-TestClusterOk -Node $Own
        $connection | Disconnect-RedisCluster
    }

    It 'asks the other known nodes when the node it connected through is gone' {
        # Only the first node is given: the others are known because Connect-RedisCluster read the topology.
        $connection = Connect-RedisCluster -EndPoint $Own[0].EndPoint -Credential $Cred
        Stop-TestNode -Node $Own[0]
        $nodes = Get-RedisClusterNode -Connection $connection
        $nodes.Count | Should -Be 3
        $connection.EndPoint | Should -BeIn $Own[1..2].EndPoint
        $info = Get-RedisClusterInfo -Connection $connection
        $down = $info | Where-Object EndPoint -eq $Own[0].EndPoint
        $down.IsReachable | Should -BeFalse
        $down.Error | Should -Be "$($Own[0].EndPoint) refused the connection: nothing listens on port $($Own[0].Port) there."
        Assert-OwnWords $down.Error
    }

    It 'says in its own words when no known node answers' {
        $connection = Connect-RedisCluster -EndPoint $Own[1].EndPoint -Credential $Cred
        Stop-TestNode -Node $Own[1], $Own[2]
        $err = Get-ErrorRecord { Get-RedisClusterNode -Connection $connection }
        $err.CategoryInfo.Category | Should -Be 'ConnectionError'
        $err.FullyQualifiedErrorId | Should -Be 'ConnectionRefused,RedisCluster.Commands.GetRedisClusterNodeCommand'
        "$err" | Should -BeLike 'No node of the cluster could be used (3 tried): *'
        Assert-OwnWords "$err"
    }
}

Describe 'Node calls' {
    BeforeAll {
        $script:Connection = Connect-RedisCluster -EndPoint $Nodes[0].EndPoint -Credential $Cred
        $script:None = [Threading.CancellationToken]::None
        function Invoke-NodeCommand($Client, [string] $Name, [object[]] $Arguments, $Timeout = $null) {
            $Client.ExecuteAsync([RedisCluster.RedisCommand]::new($Name, $Arguments), $None, $Timeout).GetAwaiter().GetResult()
        }
    }

    It 'are never redirected: a MOVED reply is an error from the node asked' {
        $owner = (Get-RedisKeySlot -Key 'moved-probe').EndPoint
        $other = ($Nodes | Where-Object EndPoint -ne $owner)[0].EndPoint
        $client = $Connection.GetNodeAsync([RedisCluster.NodeEndPoint]::Parse($other), $None, $null).GetAwaiter().GetResult()
        $failure = $null
        try { $null = Invoke-NodeCommand $client 'SET' @('moved-probe', 'x') } catch { $failure = $_.Exception.InnerException }
        $failure | Should -BeOfType ([RedisCluster.RedisServerErrorException])
        $failure.Code | Should -Be ([RedisCluster.ServerErrorCode]::Moved)
        $failure.EndPoint.ToString() | Should -Be $other
        $failure.ErrorId | Should -Be 'ServerMoved'
        $failure.Reply | Should -Be "MOVED $((Get-RedisKeySlot -Key 'moved-probe').Slot) $owner"
        $failure.CommandName | Should -Be 'SET'
        # Nothing was written anywhere: the command was not sent on to the owner.
        Invoke-RedisCli $owner $Password EXISTS moved-probe | Should -Be 0
    }

    It 'are never redirected: an ASK reply is an error from the node asked' {
        $key = 'ask-probe'
        $slot = (Get-RedisKeySlot -Key $key).Slot
        $source = Get-RedisClusterNode -NodeId (Get-RedisKeySlot -Key $key).NodeId
        $target = Get-RedisClusterNode -Role Master | Where-Object NodeId -ne $source.NodeId | Select-Object -First 1
        $null = Invoke-RedisCli $target.EndPoint $Password CLUSTER SETSLOT $slot IMPORTING $source.NodeId
        $null = Invoke-RedisCli $source.EndPoint $Password CLUSTER SETSLOT $slot MIGRATING $target.NodeId
        try {
            # The key is not on the source: a migrating source answers ASK for it.
            $client = $Connection.GetNodeAsync([RedisCluster.NodeEndPoint]::Parse($source.EndPoint), $None, $null).GetAwaiter().GetResult()
            $failure = $null
            try { $null = Invoke-NodeCommand $client 'GET' @($key) } catch { $failure = $_.Exception.InnerException }
            $failure | Should -BeOfType ([RedisCluster.RedisServerErrorException])
            $failure.Code | Should -Be ([RedisCluster.ServerErrorCode]::Ask)
            $failure.Reply | Should -Be "ASK $slot $($target.EndPoint)"
            $failure.EndPoint.ToString() | Should -Be $source.EndPoint
            $failure.CommandName | Should -Be 'GET'
        } finally {
            $null = Invoke-RedisCli $source.EndPoint $Password CLUSTER SETSLOT $slot STABLE
            $null = Invoke-RedisCli $target.EndPoint $Password CLUSTER SETSLOT $slot STABLE
        }
    }

    It 'classify error replies by their code' {
        $client = $Connection.GetNodeAsync([RedisCluster.NodeEndPoint]::Parse($Nodes[0].EndPoint), $None, $null).GetAwaiter().GetResult()
        $failure = $null
        try { $null = Invoke-NodeCommand $client 'CLUSTER' @('SETSLOT', '99999', 'STABLE') } catch { $failure = $_.Exception.InnerException }
        $failure.Code | Should -Be ([RedisCluster.ServerErrorCode]::Err)
        $failure.CommandName | Should -Be 'CLUSTER SETSLOT'
    }

    It 'end at a per-call timeout shorter than the connection''s, and a longer call gets a client of its own' {
        $slow = Start-TestNode -Password $Password -Setting @{ 'enable-debug-command' = 'yes' }
        $slowConnection = Connect-RedisCluster -EndPoint $slow.EndPoint -Credential $Cred -CommandTimeoutSeconds 2
        try {
            $endPoint = [RedisCluster.NodeEndPoint]::Parse($slow.EndPoint)
            $client = $slowConnection.GetNodeAsync($endPoint, $None, $null).GetAwaiter().GetResult()
            $failure = $null
            try { $null = Invoke-NodeCommand $client 'DEBUG' @('SLEEP', '1') ([TimeSpan]::FromMilliseconds(200)) } catch { $failure = $_.Exception.InnerException }
            $failure.ErrorId | Should -Be 'CommandTimeout'
            $failure.Message | Should -Be "$($slow.EndPoint) did not answer DEBUG SLEEP within 0.2 s."
            # 3 s is beyond the connection's 2 s: the call goes to a client opened with that timeout.
            $long = $slowConnection.GetNodeAsync($endPoint, $None, [TimeSpan]::FromSeconds(5)).GetAwaiter().GetResult()
            $long.CommandTimeout | Should -Be ([TimeSpan]::FromSeconds(5))
            (Invoke-NodeCommand $long 'DEBUG' @('SLEEP', '3')).ToString() | Should -Be 'OK'
        } finally {
            $slowConnection | Disconnect-RedisCluster
            Stop-TestNode -Node $slow
        }
    }
}

Describe 'Disconnect-RedisCluster' {
    It 'closes the remembered connection, after which cmdlets ask for one' {
        $null = Connect-RedisCluster -EndPoint $Nodes[0].EndPoint -Credential $Cred
        Disconnect-RedisCluster
        $err = Get-ErrorRecord { Get-RedisClusterNode }
        $err.FullyQualifiedErrorId | Should -Be 'NoConnection,RedisCluster.Commands.GetRedisClusterNodeCommand'
        $err.CategoryInfo.Category | Should -Be 'ConnectionError'
    }

    It 'closes a given connection; objects that carry it reopen it when used' {
        $connection = Connect-RedisCluster -EndPoint $Nodes[0].EndPoint -Credential $Cred
        $node = Get-RedisClusterNode -Connection $connection | Select-Object -First 1
        $connection | Disconnect-RedisCluster
        $connection.IsOpen | Should -BeFalse
        ($node | Get-RedisClusterNode).NodeId | Should -Be $node.NodeId
        (Get-RedisClusterNode -Connection $node.Connection).Count | Should -Be 3
    }

    It 'does nothing when nothing is connected' {
        Disconnect-RedisCluster
        { Disconnect-RedisCluster } | Should -Not -Throw
    }
}

Describe 'Reaching a cluster' {
    BeforeEach { Disconnect-RedisCluster }

    It 'works with -EndPoint and -Credential and no Connect-RedisCluster' {
        (Get-RedisClusterNode -EndPoint $Nodes[2].EndPoint -Credential $Cred).Count | Should -Be 3
    }

    It 'refuses -EndPoint together with -Connection: they belong to different parameter sets' {
        $connection = Connect-RedisCluster -EndPoint $Nodes[0].EndPoint -Credential $Cred
        $err = Get-ErrorRecord { Get-RedisClusterNode -Connection $connection -EndPoint $Nodes[1].EndPoint }
        $err.FullyQualifiedErrorId | Should -Be 'AmbiguousParameterSet,RedisCluster.Commands.GetRedisClusterNodeCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'does not take -Credential beside -Connection, where it would be ignored' {
        $connection = Connect-RedisCluster -EndPoint $Nodes[0].EndPoint -Credential $Cred
        $err = Get-ErrorRecord { Get-RedisClusterNode -Connection $connection -Credential $Cred }
        $err.FullyQualifiedErrorId | Should -Be 'AmbiguousParameterSet,RedisCluster.Commands.GetRedisClusterNodeCommand'
    }

    It 'pipes node objects on without repeating credentials' {
        $masters = Get-RedisClusterNode -EndPoint $Nodes[0].EndPoint -Credential $Cred -Role Master
        $again = $masters | Get-RedisClusterNode
        @($again.NodeId | Sort-Object) | Should -Be @($masters.NodeId | Sort-Object)
        ($masters | Get-RedisClusterInfo).Count | Should -Be 3
    }
}
