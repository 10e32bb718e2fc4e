import mysql from 'mysql2/promise';
import { describe } from 'vitest';
import { createStore } from '../../../server/store/index.js';
import { TABLES } from '../../../server/store/mysql/schema.js';
import { describeMysql } from '../../helpers/mysql.js';
import { leaseProperties } from './lease.js';
import { strategyProperties } from './properties.js';

/** Empties every table so each history starts from a fresh store (ids restart too). */
async function truncateAll(url: string): Promise<void> {
  const connection = await mysql.createConnection(url);
  try {
    for (const table of TABLES) await connection.query(`TRUNCATE TABLE \`${table}\``);
  } finally {
    await connection.end();
  }
}

describeMysql('count strategies on MySQL', (db) => {
  strategyProperties({
    seeds: [101, 102, 103, 104, 105, 106],
    checkpoints: 3,
    stepsPerCheckpoint: 30,
    openStore: async () => {
      const store = await createStore(db.url);
      await truncateAll(db.url);
      return store;
    },
  });
});

describeMysql('stats lease with two server instances on one MySQL database', (db) => {
  describe('two store pools', () => {
    leaseProperties(async () => {
      const a = await createStore(db.url);
      const b = await createStore(db.url);
      await truncateAll(db.url);
      return {
        a,
        b,
        close: async () => {
          await a.close();
          await b.close();
        },
      };
    });
  });
});
