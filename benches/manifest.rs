//! Manifest checks: the ACS document's NAS Deployment on its own, and a
//! 1,000-document YAML stream (Deployments with the annotation on NAS, OSS,
//! emptyDir and PVC volumes, StatefulSets, Services, ConfigMaps and PVCs),
//! from the text (YAML parse + check) and from the parsed set.
//!
//! `cargo bench --bench manifest`

use core_pattern::k8s::{CheckOptions, ManifestSet, check};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::fmt::Write;
use std::hint::black_box;

const NAS: &str = include_str!("../tests/data/manifests/acs-nas.yaml");

/// One document of the stream, by its index.
fn document(i: usize, out: &mut String) {
    let app = format!("svc-{i:04}");
    match i % 8 {
        0..=3 => {
            let (volume, mount, pattern) = match i % 4 {
                0 => (
                    "csi:\n            driver: nasplugin.csi.alibabacloud.com\n            volumeAttributes:\n              server: \"0389a-nh7m.cn-shanghai.extreme.nas.aliyuncs.com\"\n              path: \"/\"",
                    "/data/dump-a/",
                    "/data/dump-a/core-%E-%p-%t",
                ),
                1 => ("emptyDir: {}", "/cores", "/cores/core.%e.%h.%p.%t"),
                2 => (
                    "persistentVolumeClaim:\n            claimName: cores-pvc",
                    "/var/crash",
                    "/var/crash/%h/core.%p",
                ),
                _ => (
                    "csi:\n            driver: ossplugin.csi.alibabacloud.com\n            volumeAttributes:\n              bucket: crash-bucket\n              url: oss-cn-hangzhou-internal.aliyuncs.com",
                    "/dumps",
                    "/dumps/core-%e-%p",
                ),
            };
            let replicas = 1 + i % 3;
            let _ = write!(
                out,
                r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {app}
  namespace: team-{ns}
  labels:
    app: {app}
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: {app}
  template:
    metadata:
      labels:
        app: {app}
      annotations:
        alibabacloud.com/core-pattern: "{pattern}"
    spec:
      containers:
        - name: main
          image: registry.example.com/{app}:1.{i}
          resources:
            limits:
              memory: 512Mi
              ephemeral-storage: 2Gi
          volumeMounts:
            - name: cores
              mountPath: {mount}
        - name: sidecar
          image: registry.example.com/proxy:2.3
      volumes:
        - name: cores
          {volume}
"#,
                ns = i % 7
            );
        }
        4 | 5 => {
            let _ = write!(
                out,
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: {app}\nspec:\n  selector:\n    app: {app}\n  ports:\n    - port: 80\n      targetPort: 8080\n"
            );
        }
        6 => {
            let _ = write!(
                out,
                "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: cores-pvc\n  namespace: team-{}\nspec:\n  accessModes: [ReadWriteMany]\n  resources:\n    requests:\n      storage: 10Gi\n",
                i % 7
            );
        }
        _ => {
            let _ = write!(
                out,
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {app}-config\ndata:\n  LOG_LEVEL: info\n  CORE_DIR: /cores\n"
            );
        }
    }
}

/// A YAML stream of `n` documents.
fn stream(n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        if i > 0 {
            out.push_str("---\n");
        }
        document(i, &mut out);
    }
    out
}

fn manifests(c: &mut Criterion) {
    let opts = CheckOptions::default();
    let mut g = c.benchmark_group("manifest");
    g.throughput(Throughput::Bytes(NAS.len() as u64));
    g.bench_function("acs-nas/parse+check", |b| {
        b.iter(|| {
            let set = ManifestSet::parse("acs-nas.yaml", black_box(NAS)).expect("parses");
            check(&set, &opts)
        })
    });
    let set = ManifestSet::parse("acs-nas.yaml", NAS).expect("parses");
    g.bench_function("acs-nas/check", |b| {
        b.iter(|| check(black_box(&set), &opts))
    });

    let text = stream(1000);
    let set = ManifestSet::parse("cluster.yaml", &text).expect("the stream parses");
    assert_eq!(set.documents().len(), 1000);
    g.sample_size(20);
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("1000-documents/parse+check", |b| {
        b.iter(|| {
            let set = ManifestSet::parse("cluster.yaml", black_box(&text)).expect("parses");
            check(&set, &opts)
        })
    });
    g.bench_function("1000-documents/check", |b| {
        b.iter(|| check(black_box(&set), &opts))
    });
    g.finish();
}

criterion_group!(benches, manifests);
criterion_main!(benches);
