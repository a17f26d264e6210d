-- A database created by the last release without migrations (git c56b2f2: create_all
-- with that commit's models, rows written through that commit's own functions).
BEGIN TRANSACTION;
CREATE TABLE apitoken (
	token_hash VARCHAR NOT NULL, 
	user_id VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (token_hash)
);
INSERT INTO "apitoken" VALUES('5a12c4d6d3390a1882ea0c91d453b1e559fdcf8f614f4c044e3989bbccf6fbd3','a74051184a9d4ed48454af95edda8ef5','cli','2026-12-07 01:03:22.701982');
CREATE TABLE audit_event (
	seq INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	actor VARCHAR NOT NULL, 
	action VARCHAR NOT NULL, 
	entity VARCHAR NOT NULL, 
	entity_id VARCHAR NOT NULL, 
	payload JSON, 
	prev_hash VARCHAR NOT NULL, 
	hash VARCHAR NOT NULL, 
	PRIMARY KEY (seq)
);
INSERT INTO "audit_event" VALUES(1,'2026-11-20 15:00:00.000000','a74051184a9d4ed48454af95edda8ef5','episode.opened','episode','748a8e34d2824346958b62fd8d6b3696','{"abstained": false, "due_at": "2026-12-20 15:00:00+00:00", "inquiry_id": "dc89a23177bd4cadb640afa5e0a057fc", "sources": ["cap-outpatient-empiric-antibiotics"]}','0000000000000000000000000000000000000000000000000000000000000000','31760ac31b712478fe72cad7a1f464048c96d1eef4d9a99d45113992fba0eab4');
INSERT INTO "audit_event" VALUES(2,'2026-11-20 15:00:00.000000','a74051184a9d4ed48454af95edda8ef5','reflection.recorded','reflection','02a8d60496b84400b991740255306a00','{"answered": "yes", "change_types": ["drug_therapy"], "episode_id": "748a8e34d2824346958b62fd8d6b3696", "outcome": "changed", "own_sources": 0}','31760ac31b712478fe72cad7a1f464048c96d1eef4d9a99d45113992fba0eab4','a7059299e4bab193c24d11ee3c685a8431882d4901c16e01d8383d9f5b775774');
INSERT INTO "audit_event" VALUES(3,'2026-11-20 15:00:00.000000','a74051184a9d4ed48454af95edda8ef5','claim.issued','claim','9a7418f7834048f5984f1ba42295628d','{"activity_id": "CURBSIDE-POC-2026", "amount": 0.5, "board_consent": true, "credit_type": "ama_pra_1", "episode_id": "748a8e34d2824346958b62fd8d6b3696", "year": 2026}','a7059299e4bab193c24d11ee3c685a8431882d4901c16e01d8383d9f5b775774','ff1d0a47d98253afa54f10b7c62119517346bb3e9849914431efdf358f6e50c5');
CREATE TABLE claim (
	episode_id VARCHAR NOT NULL, 
	learner_id VARCHAR NOT NULL, 
	credit_type VARCHAR NOT NULL, 
	amount FLOAT NOT NULL, 
	year INTEGER NOT NULL, 
	status VARCHAR NOT NULL, 
	corrects_claim_id VARCHAR, 
	id VARCHAR NOT NULL, 
	issued_at DATETIME NOT NULL, 
	issued_by VARCHAR NOT NULL, 
	reason VARCHAR, 
	seconds_to_claim INTEGER, 
	fields_touched INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(episode_id) REFERENCES episode (id), 
	FOREIGN KEY(corrects_claim_id) REFERENCES claim (id)
);
INSERT INTO "claim" VALUES('748a8e34d2824346958b62fd8d6b3696','a74051184a9d4ed48454af95edda8ef5','ama_pra_1',0.5,2026,'issued',NULL,'9a7418f7834048f5984f1ba42295628d','2026-11-20 15:00:00.000000','a74051184a9d4ed48454af95edda8ef5',NULL,0,6);
CREATE TABLE episode (
	learner_id VARCHAR NOT NULL, 
	question VARCHAR NOT NULL, 
	abstained BOOLEAN NOT NULL, 
	status VARCHAR NOT NULL, 
	id VARCHAR NOT NULL, 
	inquiry_id VARCHAR NOT NULL, 
	sources JSON, 
	asked_at DATETIME NOT NULL, 
	opened_at DATETIME NOT NULL, 
	due_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO "episode" VALUES('a74051184a9d4ed48454af95edda8ef5','CAP outpt pcn allergy abx?',0,'claimed','748a8e34d2824346958b62fd8d6b3696','dc89a23177bd4cadb640afa5e0a057fc','[{"doc_id": "cap-outpatient-empiric-antibiotics", "title": "CAP", "url": "https://x", "version": "abc", "score": 0.8}]','2026-11-20 15:00:00.000000','2026-11-20 15:00:00.000000','2026-12-20 15:00:00.000000');
CREATE TABLE inquiry (
	question VARCHAR NOT NULL, 
	answer VARCHAR NOT NULL, 
	abstained BOOLEAN NOT NULL, 
	abstain_reason VARCHAR, 
	mode VARCHAR NOT NULL, 
	latency_ms FLOAT NOT NULL, 
	id VARCHAR NOT NULL, 
	created_at DATETIME NOT NULL, 
	learner_id VARCHAR, 
	citations JSON, 
	signals JSON, 
	phi_kinds JSON, 
	PRIMARY KEY (id)
);
INSERT INTO "inquiry" VALUES('CAP outpt pcn allergy abx?','Doxycycline ... [1]',0,NULL,'extractive',21.0,'dc89a23177bd4cadb640afa5e0a057fc','2026-11-20 15:00:00.000000','a74051184a9d4ed48454af95edda8ef5','[{"doc_id": "cap-outpatient-empiric-antibiotics", "title": "CAP", "url": "https://x", "version": "abc", "score": 0.8}]','{"dense": 0.7}','[]');
INSERT INTO "inquiry" VALUES('fish oil for gout?','',1,'not covered','extractive',0.0,'5446ca5d632e4f048c675daf4807d52f','2026-11-20 15:00:00.000000',NULL,'[]','{}','["PERSON"]');
CREATE TABLE reflection (
	reason VARCHAR NOT NULL, 
	answered VARCHAR NOT NULL, 
	outcome VARCHAR NOT NULL, 
	barriers VARCHAR, 
	free_text VARCHAR, 
	baseline_answer INTEGER, 
	retention_answer INTEGER, 
	id VARCHAR NOT NULL, 
	episode_id VARCHAR NOT NULL, 
	learner_id VARCHAR NOT NULL, 
	change_types JSON, 
	own_sources JSON, 
	created_at DATETIME NOT NULL, 
	fields_touched INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(episode_id) REFERENCES episode (id)
);
INSERT INTO "reflection" VALUES('patient care','yes','changed','cost',NULL,NULL,NULL,'02a8d60496b84400b991740255306a00','748a8e34d2824346958b62fd8d6b3696','a74051184a9d4ed48454af95edda8ef5','["drug_therapy"]','[]','2026-11-20 15:00:00.000000',5);
CREATE TABLE user (
	email VARCHAR NOT NULL, 
	first_name VARCHAR NOT NULL, 
	last_name VARCHAR NOT NULL, 
	role VARCHAR(9) NOT NULL, 
	profession VARCHAR NOT NULL, 
	specialty VARCHAR NOT NULL, 
	board VARCHAR NOT NULL, 
	board_id VARCHAR NOT NULL, 
	birth_month INTEGER, 
	birth_day INTEGER, 
	board_consent BOOLEAN NOT NULL, 
	id VARCHAR NOT NULL, 
	password_hash VARCHAR NOT NULL, 
	active BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO "user" VALUES('dr.lee@example.org','Ana','Lee','learner','physician','primary-care','ABIM','123456',4,2,1,'a74051184a9d4ed48454af95edda8ef5','$argon2id$v=19$m=65536,t=3,p=4$TbCZwKhLQeriJtUA0Li/2w$njcgV1PTLjYyvUPpLSJCFZZ5sOGJeeJQ4IbIBrJnVrI',1,'2026-12-07 01:03:22.127895');
INSERT INTO "user" VALUES('planner@example.org','','','planner','','','','',NULL,NULL,0,'a13ab8e925cc4eeaa67de5ae70cec0d3','$argon2id$v=19$m=65536,t=3,p=4$DN5Wjv10gO+YAbzKLTveOw$KN/evK98V5iS6LxUx71qDwbNT09XI81JDZg9k+igh8k',1,'2026-12-07 01:03:22.665710');
CREATE TABLE websession (
	token_hash VARCHAR NOT NULL, 
	user_id VARCHAR NOT NULL, 
	expires_at DATETIME NOT NULL, 
	PRIMARY KEY (token_hash)
);
CREATE UNIQUE INDEX ix_user_email ON user (email);
CREATE INDEX ix_websession_user_id ON websession (user_id);
CREATE INDEX ix_apitoken_user_id ON apitoken (user_id);
CREATE INDEX ix_audit_event_at ON audit_event (at);
CREATE INDEX ix_audit_event_entity_id ON audit_event (entity_id);
CREATE INDEX ix_audit_event_action ON audit_event (action);
CREATE INDEX ix_episode_status ON episode (status);
CREATE INDEX ix_episode_learner_id ON episode (learner_id);
CREATE UNIQUE INDEX ix_episode_inquiry_id ON episode (inquiry_id);
CREATE INDEX ix_episode_due_at ON episode (due_at);
CREATE INDEX ix_inquiry_learner_id ON inquiry (learner_id);
CREATE INDEX ix_inquiry_created_at ON inquiry (created_at);
CREATE UNIQUE INDEX ix_reflection_episode_id ON reflection (episode_id);
CREATE INDEX ix_reflection_learner_id ON reflection (learner_id);
CREATE INDEX ix_claim_episode_id ON claim (episode_id);
CREATE INDEX ix_claim_corrects_claim_id ON claim (corrects_claim_id);
CREATE INDEX ix_claim_issued_at ON claim (issued_at);
CREATE INDEX ix_claim_year ON claim (year);
CREATE INDEX ix_claim_learner_id ON claim (learner_id);
CREATE UNIQUE INDEX uq_claim_episode_type ON claim (episode_id, credit_type) WHERE corrects_claim_id IS NULL;
CREATE INDEX ix_claim_credit_type ON claim (credit_type);
COMMIT;
