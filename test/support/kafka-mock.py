#!/usr/bin/env python3
"""Runs librdkafka's mock Kafka cluster on loopback for the Kafka tests.

Usage: kafka-mock.py [BROKER_COUNT]

Prints `BOOTSTRAP <host:port,...>` on stdout once the cluster listens, then
reads commands from stdin, one per line, answering `OK` or `ERR <reason>`:

  topic <name> <partitions>   create a topic (replication factor 1)
  down <broker id>            close the broker's connections and refuse new ones
  up <broker id>              accept connections again
  errors <api key> <code>...  answer the next requests of that API with these error codes

Exits when stdin closes (the test process died or stopped it).
Needs Debian's librdkafka1 (librdkafka.so.1), which ships the mock cluster.
"""
import ctypes
import os
import sys


def load_library():
    try:
        return ctypes.CDLL("librdkafka.so.1")
    except OSError as error:
        print(f"ERROR cannot load librdkafka.so.1: {error}", flush=True)
        sys.exit(2)


def declare(lib):
    lib.rd_kafka_conf_new.restype = ctypes.c_void_p
    lib.rd_kafka_conf_set.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]
    lib.rd_kafka_conf_set.restype = ctypes.c_int
    lib.rd_kafka_new.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    lib.rd_kafka_new.restype = ctypes.c_void_p
    lib.rd_kafka_mock_cluster_new.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.rd_kafka_mock_cluster_new.restype = ctypes.c_void_p
    lib.rd_kafka_mock_cluster_bootstraps.argtypes = [ctypes.c_void_p]
    lib.rd_kafka_mock_cluster_bootstraps.restype = ctypes.c_char_p
    lib.rd_kafka_mock_topic_create.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int]
    lib.rd_kafka_mock_topic_create.restype = ctypes.c_int
    lib.rd_kafka_mock_broker_set_down.argtypes = [ctypes.c_void_p, ctypes.c_int32]
    lib.rd_kafka_mock_broker_set_down.restype = ctypes.c_int
    lib.rd_kafka_mock_broker_set_up.argtypes = [ctypes.c_void_p, ctypes.c_int32]
    lib.rd_kafka_mock_broker_set_up.restype = ctypes.c_int
    lib.rd_kafka_mock_push_request_errors_array.argtypes = [ctypes.c_void_p, ctypes.c_int16, ctypes.c_size_t, ctypes.POINTER(ctypes.c_int)]
    lib.rd_kafka_mock_push_request_errors_array.restype = None
    lib.rd_kafka_err2str.argtypes = [ctypes.c_int]
    lib.rd_kafka_err2str.restype = ctypes.c_char_p


def start_cluster(lib, broker_count):
    errstr = ctypes.create_string_buffer(512)
    conf = lib.rd_kafka_conf_new()
    # The handle only hosts the mock cluster; keep its own logging quiet.
    lib.rd_kafka_conf_set(conf, b"log_level", b"0", errstr, 512)
    handle = lib.rd_kafka_new(0, conf, errstr, 512)  # RD_KAFKA_PRODUCER
    if not handle:
        print(f"ERROR rd_kafka_new: {errstr.value.decode()}", flush=True)
        sys.exit(2)
    cluster = lib.rd_kafka_mock_cluster_new(handle, broker_count)
    if not cluster:
        print("ERROR rd_kafka_mock_cluster_new failed", flush=True)
        sys.exit(2)
    return handle, cluster


def run_command(lib, cluster, words):
    if len(words) == 3 and words[0] == "topic":
        return lib.rd_kafka_mock_topic_create(cluster, words[1].encode(), int(words[2]), 1)
    if len(words) == 2 and words[0] == "down":
        return lib.rd_kafka_mock_broker_set_down(cluster, int(words[1]))
    if len(words) == 2 and words[0] == "up":
        return lib.rd_kafka_mock_broker_set_up(cluster, int(words[1]))
    if len(words) >= 3 and words[0] == "errors":
        codes = [int(word) for word in words[2:]]
        lib.rd_kafka_mock_push_request_errors_array(cluster, int(words[1]), len(codes), (ctypes.c_int * len(codes))(*codes))
        return 0
    raise ValueError(f"unknown command: {' '.join(words)}")


def main():
    broker_count = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    lib = load_library()
    declare(lib)
    _handle, cluster = start_cluster(lib, broker_count)
    print(f"BOOTSTRAP {lib.rd_kafka_mock_cluster_bootstraps(cluster).decode()}", flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        try:
            code = run_command(lib, cluster, words)
            print("OK" if code == 0 else f"ERR {lib.rd_kafka_err2str(code).decode()}", flush=True)
        except (ValueError, IndexError) as error:
            print(f"ERR {error}", flush=True)
    # Skips destroying the handle: exiting the process releases everything at once.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
