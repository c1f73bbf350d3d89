// Example operations the console opens with, one tab each (GraphiQL names a tab after its operation).
// The seed scenario here is RHBZ#688673 (host template `rhbz688673`, host `lab`): the PV guest's VF
// 0000:01:10.0 leaks MSI-X vectors across a reboot; dom0 prints the line `logs` shows.
export const examples = [
  {
    query: `# RHBZ#688673: watch dom0's console while the PV guest reboots. Expect:
#   msix entry 0 for dev 01:10:0 are not freed before acquire again.
# Lines arrive in batches (one message per short window), each line with its own seq and time.
subscription Rhbz688673Dom0Log {
  logs(host: "lab", sources: ["dom0"]) {
    dropped
    lines {
      seq
      time
      source
      text
    }
  }
}
`,
  },
  {
    query: `# RHBZ#688673: the VF's MSI-X vectors go from delivered to lost (unmapped) across the reboot.
subscription Rhbz688673VfInterrupts {
  interrupts(host: "lab", bdf: "0000:01:10.0", intervalMs: 500) {
    to
    vectors {
      domain
      entry
      pirq
      delivered
      lost { masked disabled unmapped unbound total }
    }
  }
}
`,
  },
  {
    query: `# RHBZ#688673: reboot the leaking PV guest (run Rhbz688673Dom0Log in another tab first).
mutation Rhbz688673Reboot {
  rebootDomain(host: "lab", name: "rhel56-64bit-pv") {
    name
    state
    reason
  }
}
`,
  },
  {
    query: `# Domain lifecycle events of a host (started, rebooted, shut off, crashed, …).
subscription LabLifecycle {
  domainEvents(host: "lab") {
    type
    domain
    time
    data
  }
}
`,
  },
  {
    query: `# The event log, oldest first; page with after: <endCursor>.
query EventLog($after: String) {
  events(host: "lab", type: ["domain.*", "device.*", "log"], first: 50, after: $after) {
    edges { node { id type time data } }
    pageInfo { hasNextPage endCursor }
  }
}
`,
  },
  {
    query: `# Signed webhooks (Standard Webhooks): the secret is shown only in this answer.
mutation WatchLifecycle {
  createWebhook(input: { url: "http://127.0.0.1:9000/hooks", events: ["domain.*"], hosts: ["lab"] }) {
    secret
    webhook { id events hosts active }
  }
}
`,
  },
  {
    query: `# Liveness of the websocket: the server clock, pushed every second.
subscription ServerClock {
  serverTimeTicks(intervalMs: 1000) {
    iso
    version
  }
}
`,
  },
];
